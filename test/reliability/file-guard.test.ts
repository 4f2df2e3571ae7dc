import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DatabaseFiles } from '../../db/file-guard.ts';
import { type Db, openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { spawnCrux } from '../support/process.ts';
import { folderForEachTest } from '../support/folder.ts';

const dir = folderForEachTest('crux-files-');
let database: string;
beforeEach(() => {
  database = join(dir(), 'crux.sqlite');
});

/** Puts a copy of the file at `path` in its place, as a restore would: the same bytes in another file. */
function replaceWithCopy(path: string): void {
  copyFileSync(path, `${path}.copy`);
  renameSync(`${path}.copy`, path);
}

/** The guard of `db` on a clock the test moves: `problemAfter(ms)` moves it on by `ms`, then asks. */
function guardWithClock(db: Db): { problemAfter(ms: number): string | undefined } {
  let now = 0;
  const files = DatabaseFiles.of(db, () => now);
  return {
    problemAfter: (ms) => {
      now += ms;
      return files?.problem();
    },
  };
}

const STOPPED = "⚠️ Crux has stopped saving changes: its database file was removed or replaced on the server while it ran. Nothing was changed; the operators have been told and must restart it.";

describe('the database files changing under a running Crux', () => {
  it('deleting the -wal while the console trades: the next trade is refused in words, logged once, and no acknowledged trade is lost', async () => {
    const crux = spawnCrux(['--load-claims', 'claims/starter.json'], { CRUX_DATABASE: database });
    crux.child.stdin.write('/as dana\n/bet market:rome-genuine-power-seeking outcome:Yes amount:25 --request first\n');
    await crux.waitForOutput('done first');
    expect(existsSync(`${database}-wal`)).toBe(true);

    rmSync(`${database}-wal`);
    crux.child.stdin.write('/bet market:rome-genuine-power-seeking outcome:Yes amount:30 --request second\n');
    await crux.waitForOutput('done second');
    crux.child.stdin.write('/bet market:rome-genuine-power-seeking outcome:No amount:10 --request third\n');
    await crux.waitForOutput('done third');
    crux.child.stdin.end();
    expect(await crux.exited).toEqual({ code: 0, signal: null });

    expect(crux.stdout.split(STOPPED)).toHaveLength(3);
    const logged = crux.stderr.split('\n').filter((line) => line.includes('stopped writing: the database files changed under Crux'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('crux.sqlite-wal was removed or replaced under Crux. Stop it with SIGTERM');

    // Closing cleanly wrote what the removed -wal held back into the file: the acknowledged trade is there, the refused ones are not.
    const db = openDatabase(database);
    try {
      expect(verify(db).problems).toEqual([]);
      const buys = db.prepare(`SELECT request_id FROM ledger WHERE reason = 'buy' ORDER BY id`).all() as { request_id: string }[];
      expect(buys.map((row) => row.request_id)).toEqual(['console:request:first']);
    } finally {
      db.close();
    }
  });

  it('notices the -wal removed within 10 ms, and replaced within a second', () => {
    const db = openDatabase(database);
    try {
      const replaced = guardWithClock(db);
      expect(replaced.problemAfter(0)).toBeUndefined();
      replaceWithCopy(`${database}-wal`);
      expect(replaced.problemAfter(999)).toBeUndefined();
      expect(replaced.problemAfter(1)).toMatch(/crux\.sqlite-wal was removed or replaced under Crux/);

      const removed = guardWithClock(db);
      expect(removed.problemAfter(0)).toBeUndefined();
      rmSync(`${database}-wal`);
      expect(removed.problemAfter(9)).toBeUndefined();
      expect(removed.problemAfter(1)).toMatch(/crux\.sqlite-wal was removed or replaced under Crux/);
    } finally {
      db.close();
    }
  });

  it('notices the main file replaced (as a restore under a running bot would), checked at most once a second', () => {
    const db = openDatabase(database);
    try {
      const guard = guardWithClock(db);
      expect(guard.problemAfter(0)).toBeUndefined();
      replaceWithCopy(database);
      expect(guard.problemAfter(999)).toBeUndefined();
      expect(guard.problemAfter(1)).toMatch(/crux\.sqlite was removed or replaced under Crux, which can no longer write to the file everyone else sees/);
      expect(DatabaseFiles.of(openDatabase(':memory:'))).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
