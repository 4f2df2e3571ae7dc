import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { openDatabase } from '../../db/open.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { folderForEachTest } from '../support/folder.ts';

const dir = folderForEachTest('crux-bookkeeping-');

const synchronous = (db: Database.Database) => db.pragma('synchronous', { simple: true });

it('bookkeeping commits without its own sync, and leaves the connection syncing every commit again, even when it fails', () => {
  const path = join(dir(), 'crux.sqlite');
  const db = openDatabase(path);
  const store = new SqliteStore(db);
  db.exec('CREATE TABLE marks (id INTEGER PRIMARY KEY)');
  const during = store.bookkeeping(() => {
    db.prepare('INSERT INTO marks DEFAULT VALUES').run();
    return synchronous(db);
  });
  expect(during).toBe(1);
  expect(synchronous(db)).toBe(2);
  expect(() =>
    store.bookkeeping(() => {
      db.prepare('INSERT INTO marks DEFAULT VALUES').run();
      throw new Error('the post failed');
    }),
  ).toThrow('the post failed');
  expect(synchronous(db)).toBe(2);
  // Committed, for every other connection, as any commit is: one row, the failed one rolled back.
  const other = new Database(path, { readonly: true });
  expect(other.prepare('SELECT COUNT(*) AS n FROM marks').get()).toEqual({ n: 1 });
  other.close();
  db.close();
});

it('a connection opened with NORMAL durability keeps it', () => {
  const db = openDatabase(join(dir(), 'crux.sqlite'), { durability: 'NORMAL' });
  const store = new SqliteStore(db);
  expect(store.bookkeeping(() => synchronous(db))).toBe(1);
  expect(synchronous(db)).toBe(1);
  db.close();
});
