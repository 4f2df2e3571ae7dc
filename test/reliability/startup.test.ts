import { randomFillSync } from 'node:crypto';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Client, GatewayIntentBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from '../../bot/config.ts';
import { installCrux } from '../../bot/plugin.ts';
import { openDatabase } from '../../db/open.ts';
import { startFakeDiscord } from '../fake-discord/index.ts';
import { CRUX_GUILD } from '../support/discord.ts';
import { ok, testEngine } from '../support/engine.ts';
import { type RunAs, runScript, spawnCrux } from '../support/process.ts';
import { openTestMarket } from './trading.ts';
import { folderForEachTest } from '../support/folder.ts';

const NOBODY = 65_534;
/** Root may write any file, so as root the child runs as nobody, for whom permissions are what they say. */
const unprivileged: RunAs = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

const dir = folderForEachTest('crux-startup-');
let database: string;
beforeEach(() => {
  chmodSync(dir(), 0o777);
  database = join(dir(), 'crux.sqlite');
});
afterEach(() => {
  chmodSync(dir(), 0o777);
});

/** A database with one market and one trade, as one self-contained file (no -wal), owned by the child's user. */
function seedDatabase(path = database): void {
  const engine = testEngine({}, path);
  const marketId = openTestMarket(engine.service, 'seeded-market');
  ok(engine.service.buy({ marketId, outcome: 'Yes', amount: 5_000 }, { ...engine.member('dana'), now: Date.now() }));
  engine.db.pragma('journal_mode = DELETE');
  engine.db.close();
  giveToChild(path);
}

function giveToChild(path: string): void {
  if (unprivileged.uid !== undefined) chownSync(path, unprivileged.uid, unprivileged.gid ?? NOBODY);
}

/** Starts Crux (the console) on `CRUX_DATABASE` and expects it to refuse with one line and no stack trace. */
async function refusal(env: Record<string, string>, args: string[] = []): Promise<string> {
  const run = await runScript('bot/main.ts', args, { CRUX_DATABASE: database, ...env }, '', unprivileged);
  expect(run.code, run.stderr).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return lines[0] ?? '';
}

describe('start-up answers a database it cannot use with one line saying what to do', () => {
  it('CRUX_DATABASE naming a folder', async () => {
    mkdirSync(database);
    expect(await refusal({})).toMatch(/^Crux will not start — CRUX_DATABASE \(.+crux\.sqlite\) is a folder, not a database file: set it to a file such as /);
  });

  it('a text file and a file of random bytes', async () => {
    writeFileSync(database, 'These are my notes, not a database.\n');
    giveToChild(database);
    expect(await refusal({})).toMatch(/is not a SQLite database .*: point CRUX_DATABASE at Crux's database, or restore a backup/);
    writeFileSync(database, randomFillSync(Buffer.alloc(64 * 1024)));
    giveToChild(database);
    expect(await refusal({})).toMatch(/is not a SQLite database/);
  });

  it('a truncated file', async () => {
    seedDatabase();
    truncateSync(database, 3 * 4096 + 100);
    expect(await refusal({})).toMatch(/is damaged \(.+\): restore a backup \(npm run backup -- --restore FILE\)\. To serve it read-only/);
  });

  it('a file in a folder this user may not write, which WAL mode needs', async () => {
    const folder = join(dir(), 'locked');
    mkdirSync(folder);
    database = join(folder, 'crux.sqlite');
    seedDatabase();
    chmodSync(folder, 0o555);
    expect(await refusal({})).toMatch(/the folder .+locked is read-only for this user, and SQLite must create .+-wal and -shm in it: make the folder writable/);
  });

  it('a read-only database file at start, not on the first trade; --read-only serves it', async () => {
    seedDatabase();
    chmodSync(database, 0o444);
    expect(await refusal({})).toMatch(/crux\.sqlite is read-only for this user: make it writable .*npm start -- --read-only/);

    const served = await runScript('bot/main.ts', ['--read-only'], { CRUX_DATABASE: database }, '/market list\n/as dana\n/bet market:seeded-market outcome:Yes amount:5\n', unprivileged);
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toContain('seeded-market');
    expect(served.stdout).toContain('⚠️ Crux is running read-only for now');
  });

  /** Garbage over the root page of an index of `table`, after its 8-byte header (its cell pointers and cells): the table itself reads fine. */
  function damageIndexOf(table: string): void {
    const db = openDatabase(database);
    const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name LIMIT 1`).get(table) as { rootpage: number };
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.pragma('journal_mode = DELETE');
    db.close();
    const fd = openSync(database, 'r+');
    writeSync(fd, randomFillSync(Buffer.alloc(pageSize - 8)), 0, pageSize - 8, (rootpage - 1) * pageSize + 8);
    closeSync(fd);
    giveToChild(database);
  }

  it('a damaged index: SQLite quick_check at start refuses it, and --read-only serves it with a warning', async () => {
    seedDatabase();
    damageIndexOf('markets');
    expect(await refusal({})).toMatch(/crux\.sqlite is damaged \(SQLite's quick_check: .+\): restore a backup .*npm start -- --read-only/);
    const served = await runScript('bot/main.ts', ['--read-only'], { CRUX_DATABASE: database }, '/market list\n', unprivileged);
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toMatch(/^Warning: .+crux\.sqlite is damaged/m);
  });

  it('a damaged index of the ledger: start-up leaves the history to the full check, and npm run verify finds it', async () => {
    seedDatabase();
    damageIndexOf('ledger');
    const verified = await runScript('bot/verify-cli.ts', [], { CRUX_DATABASE: database }, '', unprivileged);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(/^crux verify: .+crux\.sqlite is damaged \(SQLite's quick_check: .+\): restore a backup/m);
  });
});

describe('start-up answers Discord trouble with one line', () => {
  it('a token Discord refuses (401)', async () => {
    const fake = await startFakeDiscord({ guild: CRUX_GUILD });
    try {
      const line = await refusal({ DISCORD_TOKEN: 'not-the-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase });
      expect(line).toMatch(/^Crux will not start — Discord refused DISCORD_TOKEN \(401 Unauthorized\): copy the bot token again/);
    } finally {
      await fake.close();
    }
  });

  it('a DISCORD_API_BASE nobody answers at', async () => {
    const line = await refusal({ DISCORD_TOKEN: 'any-token', DISCORD_APPLICATION_ID: '123', DISCORD_API_BASE: 'http://127.0.0.1:9/api' });
    expect(line).toMatch(/^Crux will not start — could not log in to Discord at http:\/\/127\.0\.0\.1:9\/api \(ECONNREFUSED\): check the network and DISCORD_API_BASE/);
  });
});

describe('schedules', () => {
  it('a bad CRUX_CLOSE_CRON stops the bot before it logs in, naming the variable', async () => {
    const fake = await startFakeDiscord({ guild: CRUX_GUILD });
    try {
      const run = spawnCrux([], { DISCORD_TOKEN: fake.botToken, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, CRUX_DATABASE: database, CRUX_CLOSE_CRON: '61 * * * *' });
      const timeout = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
      const exit = await run.exited;
      clearTimeout(timeout);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(run.stderr.trim()).toBe('Configuration error — CRUX_CLOSE_CRON: not a valid cron expression (61 is a invalid expression for minute)');
      expect(fake.requests.some((request) => request.path.includes('gateway'))).toBe(false);
    } finally {
      await fake.close();
    }
  });

  it('a plugin given a schedule that cannot run is refused at install, naming the variable, with no job half-started', () => {
    const config: Config = { ...loadConfig({ CRUX_DATABASE: ':memory:' }), CRUX_BACKUP_CRON: 'every night' };
    const client = new Client({ intents: [GatewayIntentBits.Guilds] });
    const db = openDatabase(':memory:');
    try {
      expect(() => installCrux(client, { config, db, log: () => undefined })).toThrow(ConfigError);
      expect(() => installCrux(client, { config, db, log: () => undefined })).toThrow(/^CRUX_BACKUP_CRON: /);
    } finally {
      db.close();
      void client.destroy();
    }
  });
});
