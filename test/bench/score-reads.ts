import { createApp } from '../../bot/app.ts';
import { calibration } from '../../bot/commands/calibration.ts';
import type { CommandModule } from '../../bot/commands/command.ts';
import { leaderboard } from '../../bot/commands/leaderboard.ts';
import { loadConfig } from '../../bot/config.ts';
import { openDatabase } from '../../db/open.ts';
import { SCORE_BOARDS } from '../../markets/forecasts.ts';
import type { OptionValue } from '../../bot/reply.ts';
import { T0 } from '../support/engine.ts';
import { percentile } from './measure.ts';
import { randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

const READS = 2_000;
const WARM_UP = 200;

/** Each run of one command in this process, handler to reply (no Discord): what a member waits for beyond the network. */
async function latencies(app: ReturnType<typeof createApp>, command: CommandModule, options: (i: number) => Record<string, OptionValue>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + READS; i++) {
    const start = performance.now();
    await command.execute(
      { realm: 'console', command: command.data.name, subcommand: null, options: options(i), actor: { userId: 'bench-reader', isModerator: false }, guildId: null, channelId: null, requestId: `read-${i}`, now: T0 },
      app,
    );
    if (i >= WARM_UP) times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/**
 * /leaderboard by every score board in turn and /calibration (format:csv, so the figure is the scores and not the
 * PNG encoder) for random members, on the million-trade database: both read the scores stored at settlement.
 */
export async function measureScoreReads(database: string, users: number, report: Report): Promise<void> {
  const db = openDatabase(database);
  try {
    const app = createApp(loadConfig({ CRUX_DATABASE: database }), db, () => {});
    const random = seededRandom(12);
    const boards = await latencies(app, leaderboard, (i) => ({ by: SCORE_BOARDS[i % SCORE_BOARDS.length]! }));
    const tables = await latencies(app, calibration, () => ({ user: `member-${randomInt(random, users)}`, format: 'csv' }));
    report.figure('leaderboard_p50_ms', percentile(boards, 0.5), 2);
    report.figure('leaderboard_p99_ms', percentile(boards, 0.99), 2);
    report.figure('calibration_p50_ms', percentile(tables, 0.5), 2);
    report.figure('calibration_p99_ms', percentile(tables, 0.99), 2);
  } finally {
    db.close();
  }
}
