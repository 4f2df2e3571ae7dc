import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeScheduledBackup } from '../bot/backup-job.ts';
import { openDatabase } from '../db/open.ts';
import { verify } from '../db/verify.ts';
import { DAY, T0, ok, testEngine } from './support/engine.ts';
import { runScript } from './support/process.ts';
import { folderForEachTest } from './support/folder.ts';

const dir = folderForEachTest('crux-backup-job-');

function bookWithOneTrade(path: string) {
  const engine = testEngine({}, path);
  ok(engine.service.openMarket({ id: 'alpha', question: 'Will alpha ship this year?', criteria: 'Announced.', closesAt: T0 + DAY }, engine.moderator('mod')));
  ok(engine.service.buy({ marketId: 'alpha', outcome: 0, amount: 10_000 }, engine.member('bob')));
  return engine;
}

function run(args: string[], env: Record<string, string>) {
  return runScript('bot/backup-cli.ts', args, env);
}

describe('the scheduled backup', () => {
  it('copies the live database into the folder and keeps only the newest', async () => {
    const engine = bookWithOneTrade(join(dir(), 'crux.sqlite'));
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    const settings = { CRUX_BACKUP_DIR: join(dir(), 'backups'), CRUX_BACKUP_KEEP: 2 };
    for (let hour = 0; hour < 3; hour++) await takeScheduledBackup(engine.db, settings, T0 + hour * 3_600_000, log);
    expect(readdirSync(settings.CRUX_BACKUP_DIR).sort()).toEqual(['crux-2026-11-24T13-00-00Z.sqlite', 'crux-2026-11-24T14-00-00Z.sqlite']);
    const copy = openDatabase(join(settings.CRUX_BACKUP_DIR, 'crux-2026-11-24T14-00-00Z.sqlite'), { readonly: true });
    expect(verify(copy)).toMatchObject({ ok: true, entries: verify(engine.db).entries });
    copy.close();
    expect(logs).toEqual(['backed up the database', 'backed up the database', 'backed up the database']);
    engine.db.close();
  });

  it('logs a failure and lets the bot go on', async () => {
    const engine = bookWithOneTrade(join(dir(), 'crux.sqlite'));
    writeFileSync(join(dir(), 'not-a-folder'), 'x');
    const logs: string[] = [];
    const result = await takeScheduledBackup(engine.db, { CRUX_BACKUP_DIR: join(dir(), 'not-a-folder'), CRUX_BACKUP_KEEP: 3 }, T0, (message) => logs.push(message));
    expect(result).toBeUndefined();
    expect(logs).toEqual(['the scheduled backup failed']);
    engine.db.close();
  });
});

describe('npm run backup', () => {
  it('backs up on demand and restores a backup after more trades', async () => {
    const database = join(dir(), 'crux.sqlite');
    const engine = bookWithOneTrade(database);
    const before = verify(engine.db).entries;
    engine.db.close();
    const env = { CRUX_DATABASE: database, CRUX_BACKUP_DIR: join(dir(), 'backups') };
    const backedUp = await run([], env);
    expect(backedUp).toMatchObject({ code: 0, stderr: '' });
    expect(backedUp.stdout).toMatch(/^Backed up .*crux\.sqlite to .*crux-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.sqlite/);
    const [file] = readdirSync(env.CRUX_BACKUP_DIR);

    const later = testEngine({}, database);
    ok(later.service.buy({ marketId: 'alpha', outcome: 1, amount: 5_000 }, later.member('carol')));
    later.db.close();

    const restored = await run(['--restore', join(env.CRUX_BACKUP_DIR, file ?? '')], env);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    expect(restored.stdout).toContain(`${before} ledger entries`);
    const db = openDatabase(database);
    expect(verify(db)).toMatchObject({ ok: true, entries: before });
    db.close();

    const refused = await run([], { ...env, CRUX_BACKUP_KEEP: 'none' });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('Configuration error — CRUX_BACKUP_KEEP: must be a whole number');
  });

  it('says in one line that CRUX_DATABASE is not a database', async () => {
    const notDatabase = join(dir(), 'notes.txt');
    writeFileSync(notDatabase, 'not a database\n');
    const refused = await run([], { CRUX_DATABASE: notDatabase, CRUX_BACKUP_DIR: join(dir(), 'backups') });
    expect(refused).toMatchObject({ code: 1, stderr: 'crux backup: file is not a database\n' });
  });
});
