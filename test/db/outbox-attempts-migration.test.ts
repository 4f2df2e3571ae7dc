import { describe, expect, it } from 'vitest';
import { latestVersion, migrate } from '../../db/migrate.ts';
import { SqliteNotificationStore } from '../../db/notifications-store.ts';
import { verify } from '../../db/verify.ts';
import { T0 } from '../support/engine.ts';
import { databaseAt, insertRome, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_outbox_attempts.sql');

describe(`migrating a schema-${previous} database to counting unanswered sends`, () => {
  it('keeps every waiting DM and line, none tried yet, and counts each one put back to wait', () => {
    const db = databaseAt(previous);
    insertRome(db, T0, T0 + 1_000_000);
    const queue = db.prepare(`INSERT INTO outbox (realm, market_id, target, user_id, notices, created_at, due_at, state) VALUES ('g1', 'rome', ?, ?, '[]', ?, ?, ?)`);
    const line = Number(queue.run('thread', null, T0, T0, 'pending').lastInsertRowid);
    const dm = Number(queue.run('dm', 'bob', T0, T0, 'pending').lastInsertRowid);
    queue.run('dm', 'carol', T0, T0, 'sent');

    migrate(db, { readonly: false });
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare('SELECT attempts, COUNT(*) AS n FROM outbox GROUP BY attempts').all()).toEqual([{ attempts: 0, n: 3 }]);

    const store = new SqliteNotificationStore(db);
    expect(store.pendingThreadEntries('rome')).toEqual([expect.objectContaining({ id: line, attempts: 0 })]);
    expect(store.nextDueDm(T0)).toEqual(expect.objectContaining({ id: dm, userId: 'bob', attempts: 0 }));
    store.mark([dm], 'sending', T0);
    store.retry(dm, T0 + 60_000, []);
    expect(store.nextDueDm(T0 + 59_999)).toBeUndefined();
    expect(store.nextDueDm(T0 + 60_000)).toEqual(expect.objectContaining({ id: dm, attempts: 1 }));
    expect(verify(db).ok).toBe(true);
    db.close();
  });
});
