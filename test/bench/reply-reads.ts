import { createApp } from '../../bot/app.ts';
import { calibration } from '../../bot/commands/calibration.ts';
import type { CommandModule } from '../../bot/commands/command.ts';
import { leaderboard } from '../../bot/commands/leaderboard.ts';
import { loadConfig } from '../../bot/config.ts';
import type { OptionValue } from '../../bot/reply.ts';
import { openDatabase } from '../../db/open.ts';
import { SCORE_BOARDS } from '../../markets/forecasts.ts';
import { CONSOLE_REALM } from '../../markets/realms/realm.ts';
import { T0 } from '../support/engine.ts';
import { percentile } from './measure.ts';
import { pick, randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

/** One kind of read behind an interactive reply: the figure it gives, and one call. */
interface ReplyRead {
  figure: string;
  read: () => unknown;
}

/** The reads behind every interactive reply on one database file, and what they were chosen from. */
interface ReplyReads {
  reads: ReplyRead[];
  markets: number;
  members: number;
  close(): void;
}

/** Calls of each read timed on a file, after `WARM_UP` untimed ones: a p99 of a few hundred moved with a single slow call. */
const READS = 2_000;
const WARM_UP = 100;

/**
 * On the large database, through the same code the commands call: a card (market, tallies, links, the chart's price
 * points), a member's portfolio, autocomplete on what a member types (the views; rendering costs the same at any
 * ledger size), and /leaderboard by every score board in turn and /calibration for random members (the commands
 * themselves, format:csv so the figure is the scores and not the PNG encoder: both read the scores stored at settlement).
 */
function replyReadsOn(database: string): ReplyReads {
  const db = openDatabase(database);
  const app = createApp(loadConfig({ CRUX_DATABASE: database }), db, () => {});
  const { views } = app;
  // The console's history: the replies benches leave servers of their own on the million-trade file.
  const slugs = db.prepare<[string], { slug: string }>('SELECT slug FROM markets WHERE realm = ? ORDER BY id').all(CONSOLE_REALM).map((row) => row.slug);
  const members = db
    .prepare<[string], { user_id: string }>("SELECT user_id FROM accounts WHERE kind = 'user' AND realm = ?")
    .all(CONSOLE_REALM)
    .map((row) => row.user_id);
  const random = seededRandom(16);
  let invocations = 0;
  const command = (module: CommandModule, options: Record<string, OptionValue>) =>
    module.execute(
      {
        realm: 'console',
        command: module.data.name,
        subcommand: null,
        options,
        actor: { userId: 'bench-reader', isModerator: false },
        guildId: null,
        channelId: null,
        requestId: `read-${(invocations += 1)}`,
        now: T0,
      },
      app,
    );
  const reads: ReplyRead[] = [
    { figure: 'show_p99_ms', read: () => views.priceHistory(views.market(CONSOLE_REALM, pick(random, slugs)).market.id) },
    { figure: 'portfolio_p99_ms', read: () => views.portfolio(CONSOLE_REALM, pick(random, members)) },
    {
      // Half what a member types at first (a word of the question), half the start of a slug.
      figure: 'autocomplete_p99_ms',
      read: () => {
        const text = random() < 0.5 ? 'market ' + String(randomInt(random, 2_000)) : pick(random, slugs).slice(0, 3 + randomInt(random, 8));
        return views.search(text, CONSOLE_REALM, random() < 0.5);
      },
    },
    { figure: 'leaderboard_p99_ms', read: () => command(leaderboard, { by: SCORE_BOARDS[invocations % SCORE_BOARDS.length] ?? 'brier' }) },
    { figure: 'calibration_p99_ms', read: () => command(calibration, { user: pick(random, members), format: 'csv' }) },
  ];
  return { reads, markets: slugs.length, members: members.length, close: () => db.close() };
}

/** `calls` calls of each read, their times (ms) appended to `into` by figure. */
async function timeReads(reads: readonly ReplyRead[], calls: number, into: Map<string, number[]>): Promise<void> {
  for (const { figure, read } of reads) {
    const times = into.get(figure) ?? [];
    into.set(figure, times);
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      const value = read();
      if (value instanceof Promise) await value;
      times.push(performance.now() - start);
    }
  }
}

function reportTimes(times: Map<string, number[]>, report: Report): void {
  for (const [figure, values] of times) report.figure(figure, percentile(values.sort((a, b) => a - b), 0.99), 2);
}

/** The reads behind each interactive reply on `database`, each warmed up and then timed. */
export async function benchReplyReads(database: string, report: Report): Promise<void> {
  const { reads, markets, members, close } = replyReadsOn(database);
  try {
    await timeReads(reads, WARM_UP, new Map());
    const times = new Map<string, number[]>();
    await timeReads(reads, READS, times);
    report.note(`reads behind each reply on ${markets} markets and ${members} members, ${READS} of each: ${reads.map((read) => read.figure.replace('_p99_ms', '')).join(', ')}`);
    reportTimes(times, report);
  } finally {
    close();
  }
}

/** Rounds of the in-turn comparison: each a quarter of every read's calls, on each file. */
const ROUNDS = 4;

/**
 * The same reads on a larger file and on the million-trade one, taken in turn (a quarter of each read's calls on one, then on
 * the other, the next round in the other order), so that a slow minute of the machine falls on both: the larger file's
 * figures, named with `_3m`, and each as a ratio of the million-trade figure measured beside it (`…_3m_vs_1m`).
 */
export async function benchReplyReadsBeside(large: string, million: string, report: Report): Promise<void> {
  const files = [replyReadsOn(large), replyReadsOn(million)];
  try {
    for (const { reads } of files) await timeReads(reads, WARM_UP, new Map());
    const times = files.map(() => new Map<string, number[]>());
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) await timeReads(files[i]?.reads ?? [], READS / ROUNDS, times[i] ?? new Map());
    }
    const [largeTimes = new Map<string, number[]>(), millionTimes = new Map<string, number[]>()] = times;
    for (const [figure, values] of largeTimes) {
      const p99 = percentile(values.sort((a, b) => a - b), 0.99);
      const beside = percentile((millionTimes.get(figure) ?? []).sort((a, b) => a - b), 0.99);
      report.figure(`${figure}_3m`, p99, 2);
      report.figure(`${figure}_3m_vs_1m`, p99 / beside, 2);
    }
    report.note(`the ${ROUNDS} rounds on ${files[0]?.markets ?? '?'} and ${files[1]?.markets ?? '?'} markets in turn; the million-trade file's p99s beside them: ${[...millionTimes].map(([figure, values]) => `${figure.replace('_p99_ms', '')} ${percentile(values, 0.99).toFixed(2)}`).join(', ')} ms`);
  } finally {
    for (const file of files) file.close();
  }
}
