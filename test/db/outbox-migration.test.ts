import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { latestVersion, migrate } from '../../db/migrate.ts';
import { SqliteNotificationStore } from '../../db/notifications-store.ts';
import { verify } from '../../db/verify.ts';
import { T0 } from '../support/engine.ts';
import { databaseAt, insertRome, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_lighter_outbox.sql');

/** How many entries an index holds, from SQLite's own page statistics. */
const entriesOf = (db: Database.Database, index: string) =>
  (db.prepare(`SELECT SUM(ncell) AS n FROM dbstat WHERE name = ? AND pagetype = 'leaf'`).get(index) as { n: number | null }).n ?? 0;

describe(`migrating a schema-${previous} database to the lighter outbox indexes`, () => {
  it('keeps every waiting line and DM, and each index holds only the rows looked up by it', () => {
    const db = databaseAt(previous);
    insertRome(db, T0, T0 + 1_000_000);
    const queue = db.prepare(
      `INSERT INTO outbox (realm, market_id, target, user_id, notices, created_at, due_at, state) VALUES ('g1', 'rome', ?, ?, '[]', ?, ?, ?)`,
    );
    const posted = Number(queue.run('thread', null, T0, T0, 'sent').lastInsertRowid);
    const waiting = [queue.run('thread', null, T0 + 1, T0 + 1, 'pending'), queue.run('thread', null, T0 + 2, T0 + 2, 'pending')].map((row) => Number(row.lastInsertRowid));
    const dm = Number(queue.run('dm', 'bob', T0, T0 + 5, 'pending').lastInsertRowid);
    queue.run('dm', 'bob', T0, T0, 'sent');

    migrate(db, { readonly: false });
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 5 });

    const store = new SqliteNotificationStore(db);
    expect(store.pendingThreadEntries('rome').map((entry) => entry.id)).toEqual(waiting);
    expect(store.marketsWithPendingThreadEntries()).toEqual(['rome']);
    expect(store.nextDueDm(T0 + 4)).toBeUndefined();
    expect(store.nextDueDm(T0 + 5)?.id).toBe(dm);
    // Posted lines and every thread line's state history stay in the table, out of both indexes.
    expect(entriesOf(db, 'outbox_waiting_lines')).toBe(2);
    expect(entriesOf(db, 'outbox_due_dms')).toBe(2);

    // A claimed line leaves the index of waiting lines; the posted one was never in it.
    store.mark(waiting, 'sending', T0 + 10);
    expect(store.pendingThreadEntries('rome')).toEqual([]);
    expect(store.marketsWithPendingThreadEntries()).toEqual([]);
    expect(entriesOf(db, 'outbox_waiting_lines')).toBe(0);
    expect(db.prepare('SELECT state FROM outbox WHERE id = ?').get(posted)).toEqual({ state: 'sent' });
    expect(verify(db).ok).toBe(true);
    db.close();
  });
});
