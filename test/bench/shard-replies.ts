import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { openDatabase } from '../../db/open.ts';
import { type FakeDiscord, type GuildSpec, option, startFakeDiscord } from '../fake-discord/index.ts';
import { type CruxProcess, spawnBuiltCrux } from '../support/process.ts';
import { betThroughDiscord } from '../reliability/trading.ts';
import { gcPausesDuring, tracedGcPauses } from './gc-pauses.ts';
import { AFTER_BURST, bursts, REPLIES_LOAD, settled, steadyLoad, type TimedBet } from './load.ts';
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

/** A steady load's answers, how long it ran, and the collections meanwhile. */
interface SteadyRun {
  times: number[];
  seconds: number;
  pauses: SteadyPauses;
}

/** `npm start` with some shards on its own fake Discord, warmed up: what a timed load runs against. */
interface Serving {
  shards: number;
  fake: FakeDiscord;
  crux: CruxProcess;
  members: string[];
  randoms: (() => number)[];
  bet: TimedBet;
  /** From spawning `npm start` to every shard connected. */
  startSeconds: number;
  close(): Promise<void>;
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
async function steadyWithPauses(crux: CruxProcess, shards: number, run: () => ReturnType<typeof steadyLoad>): Promise<SteadyRun> {
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
 * Every member's account exists and each gateway process has answered as many bets as with any other number of
 * shards, so that each meets the timed load with its code compiled alike; not yet settled.
 */
async function startServing(shards: number, database: string): Promise<Serving> {
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
  let closing: Promise<void> | undefined;
  // Once, however often it is called: a bench lets one go early and closes everything at the end.
  const close = () =>
    (closing ??= (async () => {
      crux.child.kill('SIGTERM');
      await crux.exited;
      await fake.close();
    })());
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
    await bursts(members, randoms, bet, WARM_UP_BURSTS_PER_SHARD * shards);
    return { shards, fake, crux, members, randoms, bet, startSeconds, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The steady load on `serving`, settled first. */
async function steadyOn(serving: Serving): Promise<SteadyRun> {
  await settled(serving.fake);
  return steadyWithPauses(serving.crux, serving.shards, () =>
    steadyLoad(serving.members, serving.randoms, serving.bet, { thinkMs: THINK_MS, seconds: STEADY_SECONDS }),
  );
}

/**
 * `BURSTS` bursts on each of `servings` (all running, all settled), taken in turn: one burst on each, the next round in
 * the other order. Measured one after the other, a slow minute of a shared machine fell on one of them and decided
 * which was faster; in turn, it falls on both. Each timed burst follows an untimed one of its own, as in a busy hour:
 * a burst that came straight after the other's found its processes' caches cold, which cost two processes more than
 * one (43 ms against 19 on average). After each burst its bot is let finish the card redraws its bets asked for, so
 * that they do not land in the next burst.
 */
async function burstsInTurn(servings: readonly Serving[]): Promise<{ times: number[]; lasts: number[] }[]> {
  const times = servings.map((): number[] => []);
  const lasts = servings.map((): number[] => []);
  for (let round = 0; round < BURSTS; round++) {
    const order = servings.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const serving = servings[i];
      if (serving === undefined) continue;
      const burst = () => bursts(serving.members, serving.randoms, serving.bet, 1);
      await burst();
      await settled(serving.fake, AFTER_BURST);
      const timed = await burst();
      times[i]?.push(...timed);
      lasts[i]?.push(timed.at(-1) ?? Number.NaN);
      await settled(serving.fake, AFTER_BURST);
    }
  }
  return times.map((burst, i) => ({ times: burst.sort((a, b) => a - b), lasts: lasts[i] ?? [] }));
}

/**
 * The replies bench's load against `npm start` with two shards (a manager and two processes on one database file) and
 * with one, both running: their bursts in turn, then the steady load with two shards.
 */
export async function runShardedRepliesBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    const one = await startServing(1, join(dir, 'crux-1.sqlite'));
    try {
      const two = await startServing(2, join(dir, 'crux-2.sqlite'));
      try {
        await Promise.all([settled(one.fake), settled(two.fake)]);
        const [oneBursts, twoBursts] = await burstsInTurn([one, two]);
        if (oneBursts === undefined || twoBursts === undefined) throw new Error('a bench of two took bursts of fewer');
        await one.close();
        const steady = await steadyOn(two);
        report.note(
          `npm start as a child, members split over 2 servers, replies timed at the fake Discord: with 2 shards ${steady.times.length} bets steady ` +
            `in ${steady.seconds.toFixed(1)} s; bursts ${BURSTS} × ${MEMBERS} with 1 shard and with 2, in turn; ` +
            `start-up to connected ${one.startSeconds.toFixed(1)} s with 1 shard, ${two.startSeconds.toFixed(1)} s with 2`,
        );
        report.figure('reply_p50_ms_2_shards', percentile(steady.times, 0.5), 1);
        report.figure('reply_p99_ms_2_shards', percentile(steady.times, 0.99), 1);
        const lasts = (run: { lasts: number[] }) => run.lasts.map((ms) => ms.toFixed(0)).join(', ');
        report.note(`each burst's last answer (ms), in the order taken: 1 shard ${lasts(oneBursts)}; 2 shards ${lasts(twoBursts)}`);
        report.figure('reply_burst_p99_ms_1_shard', percentile(oneBursts.times, 0.99), 1);
        report.figure('reply_burst_p99_ms_2_shards', percentile(twoBursts.times, 0.99), 1);
        reportPauses(report, steady, 2, '_2_shards');
      } finally {
        await two.close();
      }
    } finally {
      await one.close();
    }
  });
}

/**
 * How the collectors stopped the processes a reply crosses during the steady load: each pause holds up every bet in
 * flight in its process, so their lengths set a floor under the slowest replies.
 */
function reportPauses(report: Report, steady: SteadyRun, processes: number, suffix: string): void {
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
 * the replies bench's bursts and steady load: its memory afterwards, and its steady replies.
 */
export async function runBotProcessBench(database: string, report: Report): Promise<void> {
  const serving = await startServing(1, database);
  try {
    await settled(serving.fake);
    await bursts(serving.members, serving.randoms, serving.bet, BURSTS);
    const steady = await steadyOn(serving);
    report.figure('reply_p99_ms_1_shard', percentile(steady.times, 0.99), 1);
    reportPauses(report, steady, 1, '_1_shard');
    report.figure('bot_rss_mb', residentMb(serving.crux.child.pid), 0);
  } finally {
    await serving.close();
  }
}
