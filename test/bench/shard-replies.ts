import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { openDatabase } from '../../db/open.ts';
import { type FakeDiscord, type GuildSpec, option, startFakeDiscord } from '../fake-discord/index.ts';
import { type CruxProcess, spawnBuiltCrux } from '../support/process.ts';
import { betThroughDiscord } from '../reliability/trading.ts';
import { gcPausesDuring, tracedGcPauses } from './gc-pauses.ts';
import { bursts, REPLIES_LOAD, settled, steadyLoad, type TimedBet } from './load.ts';
import { percentile, withTempDir } from './measure.ts';
import { pick, randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

const { members: MEMBERS, thinkMs: THINK_MS, steadySeconds: STEADY_SECONDS, bursts: BURSTS } = REPLIES_LOAD;
/** Two servers, listed in turn so that with two shards each is on its own (see the fake's guild ids). */
const GUILDS = ['Shard Zero', 'Shard One'];
/** The load's markets, split over the servers. */
const MARKETS_PER_GUILD = REPLIES_LOAD.markets / GUILDS.length;
const START = { timeoutMs: 60_000 };
/** Each shard answers 400 bets before the clock starts (the bursts split evenly over the shards). */
const WARM_UP_BURSTS_PER_SHARD = 2;

/** The collectors' pauses (ms) during the steady load: in the bot's processes (each shard, or the bot alone), and in this one. */
interface SteadyPauses {
  bot: number[];
  /** This bench's own process: the fake Discord and the members, whose pauses hold up replies too. */
  bench: number[];
}

interface Run {
  /** Only where asked: one shard's steady figure is the replies bench's own `reply_p99_ms`. */
  steady?: { times: number[]; seconds: number; pauses: SteadyPauses };
  bursts: number[];
  /** From spawning `npm start` to every shard connected. */
  startSeconds: number;
  /** The resident memory of the process `npm start` started, after the load (with one shard: the bot itself). */
  rssMb: number;
}

/** A process's resident memory in MB, from Linux's /proc. */
function residentMb(pid: number | undefined): number {
  const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

function guildSpec(name: string, members: readonly string[]): GuildSpec {
  return { name, textChannels: ['markets'], members: [{ username: 'owner' }, ...members.map((username) => ({ username }))], ownerUsername: 'owner' };
}

/** The processes serving Discord: with shards, each shard's (as each says once connected); else the bot's own. */
function gatewayPids(crux: CruxProcess, shards: number): Set<number> {
  if (shards === 1) return new Set(crux.child.pid === undefined ? [] : [crux.child.pid]);
  return new Set([...crux.stdout.matchAll(/^Shard \d+ of \d+ \(process (\d+)\) is connected/gm)].map(([, pid]) => Number(pid)));
}

/** The steady load, with every collection that paused a gateway process (from `--trace-gc`) or this one meanwhile. */
async function steadyWithPauses(crux: CruxProcess, shards: number, run: () => ReturnType<typeof steadyLoad>): Promise<NonNullable<Run['steady']>> {
  const tracedFrom = crux.stdout.length;
  const { value, pauses: bench } = await gcPausesDuring(run);
  const pids = gatewayPids(crux, shards);
  const bot = tracedGcPauses(crux.stdout.slice(tracedFrom)).filter((pause) => pids.has(pause.pid)).map((pause) => pause.ms);
  return { ...value, pauses: { bot, bench } };
}

async function connected(crux: CruxProcess, fake: FakeDiscord, shards: number): Promise<void> {
  if (shards === 1) return crux.waitForOutput('Crux is connected to Discord as', START.timeoutMs);
  await crux.waitForOutput(`All ${shards} shards are connected.`, START.timeoutMs);
  // Each shard says so itself once its servers are cached, a moment after the manager hears it is ready.
  await fake.waitUntil(() => (crux.stdout.match(/^Shard \d+ of \d+ \(process \d+\) is connected/gm) ?? []).length === shards, START);
}

/**
 * `npm start` as a child process with `shards` shards, the fake Discord in this process, the members split over the
 * two servers (each betting on its own server's markets, whose cards every bet asks to redraw), as production runs
 * it: WAL, group commit, the maintenance process. A reply is timed from the dispatch to the fake accepting its callback.
 */
async function runWithShards(shards: number, dir: string, { steady, database = join(dir, `crux-${shards}.sqlite`) }: { steady: boolean; database?: string }): Promise<Run> {
  const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
  const guildOf = (i: number) => GUILDS[i % GUILDS.length] ?? '';
  const fake = await startFakeDiscord({
    guilds: GUILDS.map((name, g) => guildSpec(name, members.filter((_, i) => i % GUILDS.length === g))),
    shards,
    maxConcurrency: 16,
  });
  const crux = spawnBuiltCrux([], {
    DISCORD_TOKEN: fake.botToken,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    CRUX_DATABASE: database,
    CRUX_SHARDS: String(shards),
    CRUX_RATE_LIMIT_PER_MINUTE: '0',
  }, ['--trace-gc']);
  try {
    const spawnedAt = performance.now();
    await connected(crux, fake, shards);
    const startSeconds = (performance.now() - spawnedAt) / 1000;
    const opening = GUILDS.flatMap((guild) =>
      Array.from({ length: MARKETS_PER_GUILD }, (_, i) =>
        fake.slashCommand({
          name: 'market',
          subcommand: 'open',
          user: 'owner',
          guild,
          channel: 'markets',
          options: [option.string('question', `Will ${guild} benchmark ${i} hold?`), option.string('criteria', 'Never resolved.'), option.string('closes', 'in 3 weeks')],
        }),
      ),
    );
    await Promise.all(opening.map((opened) => fake.waitForCallback(opened.id, START)));
    const reader = openDatabase(database, { readonly: true });
    // Only this run's markets: the file may hold others (the million-trade one holds the replies bench's).
    const posted = reader.prepare<[], { slug: string; realm: string }>(
      `SELECT slug, realm FROM markets WHERE message_id IS NOT NULL AND question LIKE 'Will Shard % benchmark % hold?'`,
    );
    await fake.waitUntil(() => posted.all().length === GUILDS.length * MARKETS_PER_GUILD, { ...START, description: 'every market card is posted' });
    const slugsOf = new Map(GUILDS.map((guild) => [guild, posted.all().filter((row) => row.realm === fake.guildByName(guild).id).map((row) => row.slug)]));
    reader.close();

    const answered = new Map<string, () => void>();
    fake.onCallback((id) => answered.get(id)?.());
    const bet: TimedBet = (member, random) =>
      new Promise<number>((resolve) => {
        const guild = guildOf(Number(member.slice('member-'.length)));
        const start = performance.now();
        const interaction = betThroughDiscord(fake, member, pick(random, slugsOf.get(guild) ?? []), 1 + randomInt(random, 10), random() < 0.5 ? 'Yes' : 'No', guild);
        answered.set(interaction.id, () => {
          answered.delete(interaction.id);
          resolve(performance.now() - start);
        });
      });
    const randoms = members.map((_, i) => seededRandom(i + 1));
    // Warm-up: every member's account exists and each gateway process has answered as many bets as with any other
    // number of shards, so that each meets the timed load with its code compiled alike.
    await bursts(members, randoms, bet, WARM_UP_BURSTS_PER_SHARD * shards);
    await settled(fake);
    // The bursts come first, so that every run's bursts start from the same state (warmed up, settled) whether or not a
    // steady load follows: one shard's bursts and two shards' are compared.
    const burstTimes = await bursts(members, randoms, bet, BURSTS);
    if (!steady) return { bursts: burstTimes, startSeconds, rssMb: residentMb(crux.child.pid) };
    await settled(fake);
    const load = await steadyWithPauses(crux, shards, () => steadyLoad(members, randoms, bet, { thinkMs: THINK_MS, seconds: STEADY_SECONDS }));
    return { steady: load, bursts: burstTimes, startSeconds, rssMb: residentMb(crux.child.pid) };
  } finally {
    crux.child.kill('SIGTERM');
    await crux.exited;
    await fake.close();
  }
}

/**
 * The replies bench's load against `npm start` with two shards (a manager and two processes on one database file):
 * bursts, then steady; and the same bursts with one shard, measured alike, side by side.
 */
export async function runShardedRepliesBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    const one = await runWithShards(1, dir, { steady: false });
    const two = await runWithShards(2, dir, { steady: true });
    const steady = two.steady?.times ?? [];
    report.note(
      `npm start as a child, members split over 2 servers, replies timed at the fake Discord: with 2 shards ${steady.length} bets steady ` +
        `in ${two.steady?.seconds.toFixed(1) ?? '?'} s; bursts ${BURSTS} × ${MEMBERS} with 1 shard and with 2; ` +
        `start-up to connected ${one.startSeconds.toFixed(1)} s with 1 shard, ${two.startSeconds.toFixed(1)} s with 2`,
    );
    report.figure('reply_p50_ms_2_shards', percentile(steady, 0.5), 1);
    report.figure('reply_p99_ms_2_shards', percentile(steady, 0.99), 1);
    report.figure('reply_burst_p99_ms_1_shard', percentile(one.bursts, 0.99), 1);
    report.figure('reply_burst_p99_ms_2_shards', percentile(two.bursts, 0.99), 1);
    reportPauses(report, two.steady, 2, '_2_shards');
  });
}

/**
 * How the collectors stopped the processes a reply crosses during the steady load: each pause holds up every bet in
 * flight in its process, so their lengths set a floor under the slowest replies.
 */
function reportPauses(report: Report, steady: Run['steady'], processes: number, suffix: string): void {
  if (steady === undefined) return;
  const bot = [...steady.pauses.bot].sort((a, b) => a - b);
  const bench = [...steady.pauses.bench].sort((a, b) => a - b);
  const total = (pauses: number[]) => pauses.reduce((sum, ms) => sum + ms, 0);
  report.note(
    `garbage collection during the steady load: ${bot.length} pauses in the bot's ${processes === 1 ? 'process' : `${processes} shard processes`}, ` +
      `${bot.filter((ms) => ms >= 5).length} of them 5 ms or longer; ${bench.length} in the bench's own process (the fake Discord and the members)`,
  );
  report.figure(`gc_pause_p50_ms${suffix}`, percentile(bot, 0.5), 1);
  report.figure(`gc_pause_max_ms${suffix}`, bot.at(-1) ?? 0, 1);
  report.figure(`gc_ms_per_s${suffix}`, total(bot) / steady.seconds / processes, 1);
  report.figure(`bench_gc_pause_max_ms${suffix}`, bench.at(-1) ?? 0, 1);
}

/**
 * `npm start` (one shard, one process: the bot alone, apart from the fake Discord and this bench) on `database` under
 * the replies bench's steady load and bursts: its memory afterwards, and its steady replies.
 */
export async function runBotProcessBench(database: string, report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    const run = await runWithShards(1, dir, { steady: true, database });
    report.figure('reply_p99_ms_1_shard', percentile(run.steady?.times ?? [], 0.99), 1);
    reportPauses(report, run.steady, 1, '_1_shard');
    report.figure('bot_rss_mb', run.rssMb, 0);
  });
}
