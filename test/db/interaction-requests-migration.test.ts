import { join } from 'node:path';
import { expect, it } from 'vitest';
import { latestVersion } from '../../db/migrate.ts';
import { verify } from '../../db/verify.ts';
import { ok, T0, testEngine } from '../support/engine.ts';
import { folderForEachTest } from '../support/folder.ts';
import { rewindSchema, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_interaction_requests.sql');
const dir = folderForEachTest('crux-migration-interactions-');
const market = { id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 86_400_000 };
/** The ids the trades below were sent with: schema `previous` kept them all as text. */
const SENT = ['1440000000000000001', '1440000000000000002', '99999999999999999999', 'console:7'];

it(`migrates a schema-${previous} database: snowflake request ids move to their integers and still replay, others stay`, () => {
  const path = join(dir(), 'crux.sqlite');
  const old = testEngine({}, path);
  ok(old.service.openMarket(market, old.moderator('alice')));
  // Today's code would keep the snowflakes apart already: the trades are sent with stand-ins, renamed once rewound.
  const first = SENT.map((_, i) => ok(old.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1_000 + i }, { ...old.member('bob'), requestId: `stand-in-${i}` })));
  rewindSchema(old.db, previous);
  const rename = old.db.prepare('UPDATE requests SET id = ? WHERE id = ?');
  SENT.forEach((id, i) => rename.run(id, `stand-in-${i}`));
  old.db.close();

  const engine = testEngine({}, path);
  try {
    expect(engine.db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(engine.db.prepare('SELECT CAST(id AS TEXT) AS id FROM interaction_requests ORDER BY id').all()).toEqual([
      { id: '1440000000000000001' },
      { id: '1440000000000000002' },
    ]);
    expect(engine.db.prepare('SELECT id FROM requests ORDER BY id').all()).toEqual([{ id: '99999999999999999999' }, { id: 'console:7' }]);
    const replayed = SENT.map((requestId, i) => ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1_000 + i }, { ...engine.member('bob'), requestId })));
    expect(replayed).toEqual(first.map((result) => ({ ...result, market: engine.store.findMarket('rome') })));
    expect(engine.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE reason = 'buy'`).get()).toEqual({ n: SENT.length });
    expect(verify(engine.db).problems).toEqual([]);
  } finally {
    engine.db.close();
  }
});
