import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteNotificationStore } from '../../db/notifications-store.ts';
import { openDatabase, type Db } from '../../db/open.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { NotificationService } from '../../markets/notifications/service.ts';
import { spawnNode } from '../support/process.ts';
import { folderForEachTest } from '../support/folder.ts';

/** Another process that takes the write lock, says so, and holds it for `ms` before committing. */
function holdWriteLock(path: string, ms: number) {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    console.log('holding');
    setTimeout(() => { db.exec('COMMIT'); db.close(); console.log('released'); }, Number(process.argv[2]));
  `;
  return spawnNode(['-e', script, path, String(ms)], {}, { cwd: process.cwd() });
}

const dir = folderForEachTest('crux-write-lock-');
let db: Db;
beforeEach(() => {
  db = openDatabase(join(dir(), 'crux.sqlite'));
});
afterEach(() => {
  db.close();
});

const remember = (store: SqliteStore, id: string) => store.atomically(() => store.rememberRequest(id, { result: '{}', userId: null, fingerprint: null }, 0));

describe('waiting for another process’s write lock', () => {
  it('writes as soon as the other process lets go, and keeps the connection’s own busy timeout', async () => {
    const store = new SqliteStore(db);
    const holder = holdWriteLock(db.name, 300);
    await holder.waitForOutput('holding');
    const start = performance.now();
    remember(store, 'after-the-lock');
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThan(100);
    expect(store.recallRequest('after-the-lock')).toBeDefined();
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    await holder.exited;
  });

  it('gives up after the busy timeout with a refusal members can read, having changed nothing', async () => {
    db.pragma('busy_timeout = 200');
    const store = new SqliteStore(db);
    const holder = holdWriteLock(db.name, 1500);
    await holder.waitForOutput('holding');
    expect(() => remember(store, 'never')).toThrow(expect.objectContaining({ code: 'storage_busy', message: expect.stringMatching(/nothing was changed/) }));
    await holder.exited;
    expect(store.recallRequest('never')).toBeUndefined();
  });

  it('a DM pass with nothing due does not wait for it', async () => {
    const notifications = new NotificationService(new SqliteStore(db), new SqliteNotificationStore(db), () => ({ threadMode: true, reasonPoints: 10, alertPoints: 10 }));
    const holder = holdWriteLock(db.name, 1_000);
    await holder.waitForOutput('holding');
    const start = performance.now();
    expect(notifications.claimNextDm(Date.now())).toBeUndefined();
    expect(performance.now() - start).toBeLessThan(500);
    await holder.exited;
  });
});
