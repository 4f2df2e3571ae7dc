import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, listBackups, pruneBackups, restoreDatabase, RestoreRefusedError } from '../db/backup.ts';
import { latestVersion, migrations } from '../db/migrate.ts';
import { openDatabase, type Db } from '../db/open.ts';
import { verify } from '../db/verify.ts';
import { DAY, T0, ok, testEngine, type TestEngine } from './support/engine.ts';
import { folderForEachTest } from './support/folder.ts';

const HOUR = 60 * 60 * 1000;
const MARKETS = ['alpha', 'beta'];

const dir = folderForEachTest('crux-backup-');
let databasePath: string;
let backupFolder: string;
const opened: Db[] = [];

beforeEach(() => {
  databasePath = join(dir(), 'data', 'crux.sqlite');
  backupFolder = join(dir(), 'backups');
  mkdirSync(join(dir(), 'data'));
});

afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

/** A connection to the test's database file with both markets open; a second call opens a second connection to the same books. */
function liveEngine(): TestEngine {
  const engine = testEngine({}, databasePath);
  opened.push(engine.db);
  const mod = engine.moderator('mod');
  for (const id of MARKETS) {
    if (!engine.store.slugTaken('console', id)) {
      ok(engine.service.openMarket({ id, question: `Will ${id} ship this year?`, criteria: 'Announced on the blog.', closesAt: T0 + 30 * DAY }, mod));
    }
  }
  return engine;
}

/** The i-th trade of a fixed pattern: ten traders buying both sides of both markets, every fourth buy half sold again. */
function trade(engine: TestEngine, i: number): void {
  const trader = { ...engine.member(`trader-${i % 10}`), now: T0 + i, requestId: `trade-${i}` };
  const command = { marketId: i % 2 === 0 ? 'alpha' : 'beta', outcome: Math.floor(i / 2) % 2 };
  const bought = ok(engine.service.buy({ ...command, amount: 1_000 + (i % 7) * 500 }, trader));
  if (i % 4 === 3) {
    ok(engine.service.sell({ ...command, shares: Math.ceil(bought.position / 2) }, { ...trader, requestId: `${trader.requestId}-sell` }));
  }
}

function trades(engine: TestEngine, from: number, count: number): void {
  for (let i = from; i < from + count; i++) trade(engine, i);
}

/** Every balance and position, in a stable order, to compare two databases by. */
function books(db: Db): unknown {
  return {
    balances: db.prepare('SELECT id, balance FROM accounts ORDER BY id').all(),
    positions: db.prepare('SELECT market_id, user_id, outcome, shares FROM positions ORDER BY market_id, user_id, outcome').all(),
    entries: verify(db).entries,
  };
}

function openReadOnly(path: string): Db {
  const db = openDatabase(path, { readonly: true });
  opened.push(db);
  return db;
}

describe('backupDatabase', () => {
  it('writes one self-contained file named for the UTC second, and nothing else', async () => {
    const engine = liveEngine();
    trades(engine, 0, 10);
    const backup = await backupDatabase(engine.db, backupFolder, T0 + 1_234);
    expect(basename(backup.path)).toBe('crux-2026-11-24T12-00-01Z.sqlite');
    expect(readdirSync(backupFolder)).toEqual([basename(backup.path)]);
    expect(backup.bytes).toBeGreaterThan(0);

    const copy = openReadOnly(backup.path);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(books(copy)).toEqual(books(engine.db));
    copy.close();
    // Reading the backup must not leave a -wal or -shm beside it.
    expect(readdirSync(backupFolder)).toEqual([basename(backup.path)]);
  });

  it('removes the scratch copies and journals a killed backup left, but not one still being written or other files', async () => {
    const engine = liveEngine();
    trades(engine, 0, 10);
    mkdirSync(backupFolder);
    // What `npm run backup` leaves when it is killed mid-copy: the copy under its scratch name, with its journal.
    const killed = join(backupFolder, 'crux-2026-11-23T03-30-00Z.sqlite.0a1b2c3d.partial');
    copyFileSync(databasePath, killed);
    writeFileSync(`${killed}-journal`, 'rollback journal');
    const anHourAgo = new Date(Date.now() - HOUR);
    for (const path of [killed, `${killed}-journal`]) utimesSync(path, anHourAgo, anHourAgo);
    const inProgress = join(backupFolder, 'crux-2026-11-24T12-00-00Z.sqlite.feedbeef.partial');
    writeFileSync(inProgress, 'pages still arriving');
    const unrelated = join(backupFolder, 'notes.partial');
    writeFileSync(unrelated, 'not a backup');
    utimesSync(unrelated, anHourAgo, anHourAgo);

    const backup = await backupDatabase(engine.db, backupFolder, T0 + HOUR);

    expect(readdirSync(backupFolder).sort()).toEqual([basename(backup.path), basename(inProgress), 'notes.partial'].sort());
  });

  describe.each([
    { writer: 'the connection taking the backup', ownConnection: false },
    { writer: 'a second connection, as the bot beside `npm run backup`', ownConnection: true },
  ])('with trades arriving meanwhile on $writer', ({ ownConnection }) => {
    it('still produces a backup that verifies', async () => {
      const engine = liveEngine();
      // Seeded in one commit: enough pages that SQLite copies them over many steps, with trades between steps.
      const seeded = 3_000;
      engine.db.transaction(() => trades(engine, 0, seeded))();
      expect(Number(engine.db.pragma('page_count', { simple: true }))).toBeGreaterThan(350);
      const writer = ownConnection ? liveEngine() : engine;
      const entriesBefore = verify(engine.db).entries;

      const backup = backupDatabase(engine.db, backupFolder, T0 + HOUR);
      let copying = true;
      void backup.then(
        () => (copying = false),
        () => (copying = false),
      );
      // A write from another connection restarts the copy, so that writer stops after a while to let it finish.
      const limit = ownConnection ? 30 : Infinity;
      let meanwhile = 0;
      while (copying && meanwhile < limit) {
        trade(writer, seeded + meanwhile);
        meanwhile += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const { path } = await backup;

      expect(meanwhile).toBeGreaterThan(3);
      const copy = openReadOnly(path);
      const report = verify(copy);
      expect(report.problems).toEqual([]);
      // One consistent snapshot from somewhere between the start and the end of the copy.
      expect(report.entries).toBeGreaterThanOrEqual(entriesBefore);
      expect(report.entries).toBeLessThanOrEqual(verify(engine.db).entries);
    });
  });
});

describe('pruneBackups', () => {
  it('keeps the newest by the time in the name, not the mtime, and touches no other file', async () => {
    const engine = testEngine();
    opened.push(engine.db);
    const taken = [];
    for (let hour = 0; hour < 6; hour++) taken.push((await backupDatabase(engine.db, backupFolder, T0 + hour * HOUR)).path);
    // Oldest by name, newest by mtime: as after copying the folder from another machine.
    taken.forEach((path, i) => utimesSync(path, new Date(T0 - i * DAY), new Date(T0 - i * DAY)));
    const bystanders = ['notes.txt', 'crux-latest.sqlite', 'crux-2026-11-24T12-00-00Z.sqlite.1a2b3c4d.partial', 'crux-2026-02-30T00-00-00Z.sqlite'];
    for (const name of bystanders) writeFileSync(join(backupFolder, name), 'not a backup');

    expect(pruneBackups(backupFolder, 3)).toEqual(taken.slice(0, 3).reverse());
    expect(listBackups(backupFolder).map((backup) => backup.path)).toEqual(taken.slice(3).reverse());
    expect(readdirSync(backupFolder).sort()).toEqual([...taken.slice(3).map((path) => basename(path)), ...bystanders].sort());
    expect(pruneBackups(backupFolder, 3)).toEqual([]);
  });

  it('always keeps the backup just taken, even beside one named for a later time', async () => {
    const engine = testEngine();
    opened.push(engine.db);
    mkdirSync(backupFolder, { recursive: true });
    const future = join(backupFolder, 'crux-2099-01-01T00-00-00Z.sqlite');
    writeFileSync(future, 'left by a clock that ran fast');
    const { path } = await backupDatabase(engine.db, backupFolder, T0);
    expect(pruneBackups(backupFolder, 1, path)).toEqual([future]);
    expect(existsSync(path)).toBe(true);
  });

  it('refuses to keep none, and treats a missing folder as empty', () => {
    expect(() => pruneBackups(backupFolder, 0)).toThrow(/at least one/);
    expect(pruneBackups(join(dir(), 'never-made'), 3)).toEqual([]);
  });
});

describe('restoreDatabase', () => {
  it('brings back exactly the books of the backup, discarding later trades and a stale -wal', async () => {
    const engine = liveEngine();
    trades(engine, 0, 20);
    const { path } = await backupDatabase(engine.db, backupFolder, T0 + HOUR);
    const atBackup = books(engine.db);
    trades(engine, 20, 20);
    expect(books(engine.db)).not.toEqual(atBackup);

    // A bot killed mid-flight leaves its -wal behind; replayed onto the restored file it would corrupt it.
    const walCopy = join(dir(), 'stale-wal');
    copyFileSync(`${databasePath}-wal`, walCopy);
    engine.db.close();
    copyFileSync(walCopy, `${databasePath}-wal`);

    const report = restoreDatabase(path, databasePath);
    expect(report.ok).toBe(true);
    expect(existsSync(`${databasePath}-wal`)).toBe(false);
    expect(readdirSync(join(dir(), 'data'))).toEqual(['crux.sqlite']);

    const restored = openDatabase(databasePath);
    opened.push(restored);
    expect(verify(restored).problems).toEqual([]);
    expect(books(restored)).toEqual(atBackup);
    expect(books(restored)).toEqual(books(openReadOnly(path)));
    expect(restored.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('brings a backup from an older Crux up to the current schema as it restores it', () => {
    const oldest = migrations()[0];
    if (oldest === undefined) throw new Error('no migrations found');
    const backupPath = join(backupFolder, 'crux-2026-01-01T00-00-00Z.sqlite');
    mkdirSync(backupFolder);
    const old = new Database(backupPath);
    old.exec(oldest.sql);
    old.pragma(`user_version = ${oldest.version}`);
    old.close();

    expect(restoreDatabase(backupPath, databasePath).ok).toBe(true);
    expect(openReadOnly(databasePath).pragma('user_version', { simple: true })).toBe(latestVersion());
    const untouched = new Database(backupPath, { readonly: true });
    opened.push(untouched);
    expect(untouched.pragma('user_version', { simple: true })).toBe(oldest.version);
  });

  it('refuses a backup whose balances were tampered with, leaving the live database alone', async () => {
    const engine = liveEngine();
    trades(engine, 0, 10);
    const { path } = await backupDatabase(engine.db, backupFolder, T0 + HOUR);
    const tampered = new Database(path);
    tampered.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:trader-3'`).run();
    tampered.close();
    trades(engine, 10, 5);
    const live = books(engine.db);
    engine.db.close();

    expect(() => restoreDatabase(path, databasePath)).toThrow(RestoreRefusedError);
    expect(() => restoreDatabase(path, databasePath)).toThrow(/does not verify:\n.*user:console:trader-3: stored balance/);
    const untouched = openDatabase(databasePath);
    opened.push(untouched);
    expect(books(untouched)).toEqual(live);
    expect(readdirSync(join(dir(), 'data')).filter((name) => name.includes('restoring'))).toEqual([]);
  });

  it('refuses a backup written by a newer Crux, a file that is no database, a missing file and the target itself', async () => {
    const engine = liveEngine();
    const { path } = await backupDatabase(engine.db, backupFolder, T0 + HOUR);
    engine.db.close();
    const newer = new Database(path);
    newer.pragma(`user_version = ${latestVersion() + 1}`);
    newer.close();
    expect(() => restoreDatabase(path, databasePath)).toThrow(/Refusing to restore .*newer Crux/);

    const garbage = join(backupFolder, 'garbage.sqlite');
    writeFileSync(garbage, 'this is not a database, only text long enough to look like a header '.repeat(10));
    expect(() => restoreDatabase(garbage, databasePath)).toThrow(RestoreRefusedError);
    expect(() => restoreDatabase(databasePath, databasePath)).toThrow(/is the database it would replace/);
    expect(() => restoreDatabase(join(backupFolder, 'missing.sqlite'), databasePath)).toThrow(/no such file/);
  });

  it('refuses an empty file, a database that is not Crux and a link to the live database, leaving the live books alone', () => {
    const engine = liveEngine();
    engine.db.close();
    const entriesNow = () => {
      const db = openDatabase(databasePath);
      try {
        return verify(db).entries;
      } finally {
        db.close();
      }
    };
    const before = entriesNow();
    expect(before).toBeGreaterThan(0);
    // SQLite opens both as databases, which the migrations would make an empty Crux of.
    mkdirSync(backupFolder, { recursive: true });
    const empty = join(backupFolder, 'empty.sqlite');
    writeFileSync(empty, '');
    expect(() => restoreDatabase(empty, databasePath)).toThrow(/Refusing to restore .*not a Crux database/);
    const other = join(backupFolder, 'notes.sqlite');
    const notes = new Database(other);
    notes.exec('CREATE TABLE notes (x TEXT)');
    notes.close();
    expect(() => restoreDatabase(other, databasePath)).toThrow(/Refusing to restore .*not a Crux database/);
    const link = join(backupFolder, 'link.sqlite');
    symlinkSync(databasePath, link);
    expect(() => restoreDatabase(link, databasePath)).toThrow(/is the database it would replace/);
    expect(entriesNow()).toBe(before);
  });
});
