import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { type FakeDiscord, type FakeInteraction, MARKET_MOD_ROLE, startFakeDiscord } from '../fake-discord/index.ts';
import { CRUX_GUILD } from '../support/discord.ts';
import { testEngine } from '../support/engine.ts';
import { type CruxProcess, spawnCrux } from '../support/process.ts';
import { betThroughDiscord, messageOf, openTestMarket, requestsAppliedTwice, timesApplied } from './trading.ts';

/*
 * `npm start` with CRUX_SHARDS=2 as a child: a sharding manager and two shard processes on one database file, against
 * a fake Discord whose two guilds sit on different shards. Bets in both are answered, each by its own shard; the jobs
 * run in shard 0 alone; a SIGKILL of shard 1 while it trades is survived (the manager starts it again) with every
 * acknowledged bet in the ledger once and none twice, even when Discord delivers the bets again.
 */

const TRADERS = ['alice', 'bob', 'carol'];
const BETS_DURING_KILL = 120;
const KILL_AFTER_ACKS = 5;
const STREAM_GAP_MS = 2;
const WAIT = { timeoutMs: 45_000 };

let fake: FakeDiscord;
let dir: string;
let database: string;
let crux: CruxProcess;
const markets = { Alpha: 'alpha-shard', Beta: 'beta-shard' } as const;

/** Each shard process as it announced itself on stdout: shard id → process ids, in start order. */
function shardProcesses(): Map<number, number[]> {
  const found = new Map<number, number[]>();
  for (const [, shard, pid] of crux.stdout.matchAll(/^Shard (\d+) of 2 \(process (\d+)\) is connected/gm)) {
    found.set(Number(shard), [...(found.get(Number(shard)) ?? []), Number(pid)]);
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The JSON lines the shards logged with this message. */
function logged(message: string): { shard?: number }[] {
  return crux.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { message: string; shard?: number })
    .filter((line) => line.message === message);
}

function bet(guild: keyof typeof markets, i: number): FakeInteraction {
  return betThroughDiscord(fake, TRADERS[i % TRADERS.length] ?? 'alice', markets[guild], 1 + (i % 4), i % 3 === 0 ? 'No' : 'Yes', guild);
}

function bought(interaction: FakeInteraction): boolean {
  const callback = fake.callback(interaction.id);
  return callback !== undefined && /\bbought\b/.test(messageOf(callback).embeds?.[0]?.title ?? '');
}

beforeAll(async () => {
  fake = await startFakeDiscord({ guilds: [{ ...CRUX_GUILD, name: 'Alpha' }, { ...CRUX_GUILD, name: 'Beta' }], shards: 2, maxConcurrency: 16, heartbeatIntervalMs: 1_000 });
  dir = mkdtempSync(join(tmpdir(), 'crux-shards-'));
  database = join(dir, 'crux.sqlite');
  const engine = testEngine({}, database);
  for (const [guild, market] of Object.entries(markets)) openTestMarket(engine.service, market, fake.guildByName(guild).id);
  engine.db.close();
  crux = spawnCrux([], {
    DISCORD_TOKEN: fake.botToken,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    CRUX_DATABASE: database,
    CRUX_SHARDS: '2',
    CRUX_MODERATOR_ROLE: MARKET_MOD_ROLE,
    CRUX_RATE_LIMIT_PER_MINUTE: '0',
    // A backup every second: a job whose every run leaves a log line, so a second process running jobs would show.
    CRUX_BACKUP_CRON: '* * * * * *',
    CRUX_BACKUP_DIR: join(dir, 'backups'),
  });
  await crux.waitForOutput('All 2 shards are connected.', WAIT.timeoutMs);
  // The manager hears a shard is ready a moment before the shard itself prints so.
  await fake.waitUntil(() => shardProcesses().size === 2, { ...WAIT, description: 'both shards say they are connected' });
}, 60_000);

afterAll(async () => {
  // Whatever happened, no process of this test outlives it.
  for (const pid of [...shardProcesses().values()].flat()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  if (crux.child.exitCode === null) crux.child.kill('SIGKILL');
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two shards in two processes on one database', () => {
  it("answers each guild's bets from its own shard, runs the jobs once, and survives a SIGKILL of a shard while it trades", async () => {
    const first = shardProcesses();
    expect([...first.keys()].sort()).toEqual([0, 1]);
    expect(fake.gateway.identifiedShards).toEqual([
      [0, 2],
      [1, 2],
    ]);

    // Bets in both guilds, each delivered to its own shard's session alone, and answered.
    const opening = [bet('Alpha', 0), bet('Beta', 1), bet('Alpha', 2), bet('Beta', 3)];
    await Promise.all(opening.map((interaction) => fake.waitForCallback(interaction.id, WAIT)));
    expect(opening.map(bought)).toEqual([true, true, true, true]);
    expect(opening.map((interaction) => fake.shardsReached(interaction.id))).toEqual([[0], [1], [0], [1]]);

    // Shard 1 is killed in the middle of a stream of bets in Beta; Alpha's shard goes on answering meanwhile.
    const [victim] = first.get(1) ?? [];
    if (victim === undefined) throw new Error('no process for shard 1');
    // Killed from the fake's own callback handler: polling would land too late on a fast machine, after the stream.
    const streamIds = new Set<string>();
    let streamAcks = 0;
    fake.onCallback((id) => {
      if (streamIds.has(id) && ++streamAcks === KILL_AFTER_ACKS) process.kill(victim, 'SIGKILL');
    });
    // The bets arrive a couple of milliseconds apart: sent all at once, a fast shard answered every one of them before
    // the fake had read its fifth answer.
    const stream: FakeInteraction[] = [];
    for (let i = 0; i < BETS_DURING_KILL; i++) {
      const interaction = bet('Beta', i);
      streamIds.add(interaction.id);
      stream.push(interaction);
      await delay(STREAM_GAP_MS);
    }
    await fake.waitUntil(() => !alive(victim), { ...WAIT, description: 'shard 1 is killed while trading' });
    const duringOutage = [bet('Beta', 100), ...Array.from({ length: 6 }, (_, i) => bet('Alpha', 100 + i))];
    const [lateBeta, ...alphaMeanwhile] = duringOutage;
    if (lateBeta === undefined) throw new Error('no bet');
    await Promise.all(alphaMeanwhile.map((interaction) => fake.waitForCallback(interaction.id, WAIT)));
    expect(alphaMeanwhile.every(bought)).toBe(true);
    // Only shard 1 could answer Beta, and it is down: its bet waits, unanswered.
    expect(fake.callback(lateBeta.id)).toBeUndefined();
    const acknowledgedBeforeRespawn = stream.filter((interaction) => fake.callback(interaction.id) !== undefined);
    expect(acknowledgedBeforeRespawn.length).toBeLessThan(BETS_DURING_KILL);

    // The manager starts shard 1 again, as a new process with a new session.
    await fake.waitUntil(() => (shardProcesses().get(1) ?? []).length === 2, { ...WAIT, description: 'shard 1 is back' });
    expect(shardProcesses().get(1)?.[1]).not.toBe(victim);
    expect(alive(victim)).toBe(false);
    expect(fake.gateway.identifiedShards.filter(([shard]) => shard === 1)).toHaveLength(2);

    // Discord does not deliver again what the dead process held; a member retrying the same interaction gets it
    // applied once: a bet the dead process committed is answered from its record, the others are made now. Bets
    // already answered are delivered again too, and change nothing.
    const unanswered = [...stream, lateBeta].filter((interaction) => fake.callback(interaction.id) === undefined);
    for (const interaction of [...unanswered, ...acknowledgedBeforeRespawn.slice(0, 3)]) fake.redeliver(interaction);
    await Promise.all(unanswered.map((interaction) => fake.waitForCallback(interaction.id, WAIT)));

    const everyBet = [...opening, ...stream, ...duringOutage];
    expect(everyBet.filter((interaction) => !bought(interaction))).toEqual([]);

    // Stop the manager: it stops both shards, which finish what they hold first.
    crux.child.kill('SIGTERM');
    expect(await crux.exited).toEqual({ code: 0, signal: null });
    for (const pid of [...shardProcesses().values()].flat()) expect(alive(pid)).toBe(false);

    const db = openDatabase(database);
    try {
      expect(verify(db).problems).toEqual([]);
      expect(requestsAppliedTwice(db)).toEqual([]);
      // Every bet acknowledged as bought is in the ledger exactly once.
      expect(everyBet.filter((interaction) => timesApplied(db, interaction.id) !== 1).map((interaction) => interaction.id)).toEqual([]);
    } finally {
      db.close();
    }

    // The jobs ran in shard 0 only, every second, and shard 1 (twice started) ran none.
    const backups = logged('backed up the database');
    expect(backups.length).toBeGreaterThan(0);
    expect(backups.filter((line) => line.shard !== 0)).toEqual([]);
    expect(readdirSync(join(dir, 'backups')).length).toBeGreaterThan(0);
    expect(logged('a shard process exited; starting it again')).toEqual([expect.objectContaining({ signal: 'SIGKILL' })]);
  }, 120_000);
});
