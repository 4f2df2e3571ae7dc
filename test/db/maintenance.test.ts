import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMaintenance } from '../../db/maintenance.ts';
import { CHECKPOINT_EVERY_MS } from '../../db/maintenance-protocol.ts';
import { openDatabase, type Db } from '../../db/open.ts';
import { folderForEachTest } from '../support/folder.ts';

const BATCHES = 8;
const COMMITS_PER_BATCH = 250;
const PAGE = 4096;

const dir = folderForEachTest('crux-maintenance-');
let db: Db;
beforeEach(() => {
  db = openDatabase(join(dir(), 'crux.sqlite'));
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
});
afterEach(() => {
  if (db.open) db.close();
});

/** Commits in batches with pauses between them, as a server's traffic comes, and returns the WAL's largest size. */
async function writeInBatches(): Promise<number> {
  const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
  let largest = 0;
  for (let batch = 0; batch < BATCHES; batch++) {
    for (let i = 0; i < COMMITS_PER_BATCH; i++) insert.run('x'.repeat(200));
    largest = Math.max(largest, statSync(`${db.name}-wal`).size);
    await sleep(CHECKPOINT_EVERY_MS * 3);
  }
  return largest;
}

/**
 * The maintenance process loads for a moment before its first checkpoint (seconds, on a busy machine), and until then
 * the WAL only grows. Resolves once a commit after a pause finds the WAL started over: it reuses the WAL's first
 * frames, so the file does not grow.
 */
async function untilCheckpointing(): Promise<void> {
  const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
  const walSize = () => statSync(`${db.name}-wal`).size;
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 10; i++) insert.run('warm-up');
    const grown = walSize();
    await sleep(CHECKPOINT_EVERY_MS * 3);
    insert.run('warm-up');
    if (walSize() <= grown) return;
  }
  throw new Error('the maintenance process never checkpointed');
}

describe('the maintenance process', () => {
  it('keeps the WAL short by checkpointing from its own process, where the serving connection alone lets it grow', async () => {
    db.pragma('wal_autocheckpoint = 10000');
    const alone = await writeInBatches();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const maintenance = startMaintenance(db);
    try {
      await untilCheckpointing();
      const kept = await writeInBatches();
      // Every commit writes a page; alone the WAL holds all of them, kept it starts over between batches.
      expect(alone).toBeGreaterThan(BATCHES * COMMITS_PER_BATCH * PAGE * 0.9);
      expect(kept).toBeLessThan(alone / 3);
    } finally {
      await maintenance?.stop();
    }
  });

  it('runs the full check when asked, and gives checkpointing back to the connection when stopped', async () => {
    const maintenance = startMaintenance(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    const report = await maintenance?.verify({ priority: constants.priority.PRIORITY_NORMAL });
    expect(report).toMatchObject({ ok: true, problems: [] });
    await maintenance?.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await expect(maintenance?.verify()).rejects.toThrow(/not running/);
  });

  it('is not started for a database in memory or read-only', () => {
    expect(startMaintenance(openDatabase(':memory:'))).toBeUndefined();
    expect(startMaintenance(openDatabase(db.name, { readonly: true }))).toBeUndefined();
  });
});
