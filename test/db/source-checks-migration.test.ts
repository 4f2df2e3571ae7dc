import { describe, expect, it } from 'vitest';
import { latestVersion, migrate } from '../../db/migrate.ts';
import { SqliteResolutionStore } from '../../db/sources-store.ts';
import { verify } from '../../db/verify.ts';
import { nextSourceStatus } from '../../markets/resolution/source-status.ts';
import { DAY, T0 } from '../support/engine.ts';
import { databaseAt, insertRome, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_source_checks.sql');

describe(`migrating a schema-${previous} database to the source checks`, () => {
  it('keeps its links and their polls, and the new table records checks and failure reports for them', () => {
    const db = databaseAt(previous);
    insertRome(db, T0, T0 + 30 * DAY);
    const link = db.prepare(`INSERT INTO market_links (market_id, url, kind, added_by, added_at) VALUES ('rome', 'https://manifold.markets/a/rome', 'manifold', 'mod', ?)`).run(T0);
    const linkId = Number(link.lastInsertRowid);
    db.prepare('INSERT INTO source_polls (link_id, consecutive_errors, next_poll_at) VALUES (?, 3, ?)').run(linkId, T0);

    migrate(db, { readonly: false });
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare('SELECT consecutive_errors FROM source_polls').get()).toEqual({ consecutive_errors: 3 });

    const store = new SqliteResolutionStore(db);
    const failing = nextSourceStatus(undefined, linkId, { kind: 'error', message: 'Manifold answered HTTP 503 …', reason: 'HTTP 503' }, T0);
    store.saveSourceStatus(failing);
    store.saveSourceStatus(nextSourceStatus(store.sourceStatus(linkId), linkId, { kind: 'error', message: '…', reason: 'HTTP 503' }, T0 + DAY));
    expect(store.sourceStatuses('rome')).toEqual([
      { linkId, url: 'https://manifold.markets/a/rome', checkedAt: T0 + DAY, lastOkAt: null, failingSince: T0, failureReason: 'HTTP 503', reportState: 'due' },
    ]);
    expect(store.claimDueFailureReports()).toEqual([
      { linkId, marketId: 'rome', url: 'https://manifold.markets/a/rome', kind: 'manifold', failingSince: T0, reason: 'HTTP 503' },
    ]);
    expect(store.claimDueFailureReports()).toEqual([]);
    // A failing spell needs its reason; the table refuses one without.
    expect(() => db.prepare('UPDATE source_checks SET failure_reason = NULL').run()).toThrow(/CHECK constraint failed/);
    expect(verify(db).ok).toBe(true);
    db.close();
  });
});
