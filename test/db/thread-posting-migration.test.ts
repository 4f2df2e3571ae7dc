import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteEvidenceStore } from '../../db/evidence-store.ts';
import { latestVersion } from '../../db/migrate.ts';
import { SqliteNotificationStore } from '../../db/notifications-store.ts';
import { type Db, openDatabase } from '../../db/open.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { EvidenceService } from '../../markets/evidence/service.ts';
import { NotificationService, POSTING_HOLD_MS } from '../../markets/notifications/service.ts';
import { DAY, ok, T0, testEngine } from '../support/engine.ts';
import { folderForEachTest } from '../support/folder.ts';
import { rewindSchema, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_thread_posting.sql');
const dir = folderForEachTest('crux-migration-posting-');
const bob = { realm: 'g1', actor: { userId: 'bob', displayName: 'bob', isModerator: false }, now: T0 };

let cited = 0;

/** What one process has of the conversation: its own connection to the shared file. */
function processOn(db: Db) {
  const store = new SqliteStore(db);
  const notifications = new NotificationService(store, new SqliteNotificationStore(db), () => ({ threadMode: true, reasonPoints: 10, alertPoints: 10 }));
  const evidence = new EvidenceService(store, new SqliteEvidenceStore(db), notifications.record);
  return {
    notifications,
    cite: () => ok(evidence.add({ marketId: 'rome', url: `https://example.org/${(cited += 1)}`, stance: 'for' }, bob)).item.number,
    /** The evidence numbers a claim took, or undefined when it took none. */
    claim: (now: number) => notifications.claimThreadBatch('rome', now)?.entries.flatMap((entry) => entry.notices.map((notice) => (notice.kind === 'evidence' ? notice.number : -1))),
  };
}

it(`migrates a schema-${previous} database: a market's thread lines wait while another process posts its batch`, () => {
  const path = join(dir(), 'crux.sqlite');
  const old = testEngine({}, path);
  ok(old.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: 'g1', channelId: 'c1' }, { ...bob, realm: 'g1' }));
  processOn(old.db).notifications.recordThread('rome', '555', T0);
  rewindSchema(old.db, previous);
  old.db.close();

  const [shardDb, jobsDb] = [openDatabase(path), openDatabase(path)];
  try {
    expect(shardDb.pragma('user_version', { simple: true })).toBe(latestVersion());
    const [shard, jobs] = [processOn(shardDb), processOn(jobsDb)];
    // The thread recorded before the migration is there, with nobody posting in it.
    expect(shard.notifications.thread('rome')).toBe('555');
    const first = shard.cite();
    expect(shard.claim(T0)).toEqual([first]);
    // While the shard posts its batch, the jobs' process takes nothing, so the next line cannot overtake the first.
    const second = jobs.cite();
    expect(jobs.claim(T0 + 1)).toBeUndefined();
    shard.notifications.threadBatchDone('rome');
    expect(jobs.claim(T0 + 2)).toEqual([second]);
    jobs.notifications.threadBatchDone('rome');

    // A process that died posting holds the next batch back only so long.
    shard.cite();
    expect(shard.claim(T0 + 3)).toHaveLength(1);
    const fourth = jobs.cite();
    expect(jobs.claim(T0 + 3 + POSTING_HOLD_MS - 1)).toBeUndefined();
    expect(jobs.claim(T0 + 3 + POSTING_HOLD_MS)).toEqual([fourth]);
  } finally {
    shardDb.close();
    jobsDb.close();
  }
});
