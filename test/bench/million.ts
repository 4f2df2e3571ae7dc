import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildLargeDatabase, type LargeDatabaseShape, MILLION_TRADES, THREE_MILLION_TRADES } from './large-database.ts';
import { median, withTempDir } from './measure.ts';
import { type Report, withSuffix } from './report.ts';
import { benchFullVerify } from './at-any-size.ts';
import { runReplyLatencyBench } from './replies.ts';
import { runBotProcessBench } from './shard-replies.ts';
import { benchReplyReads, benchReplyReadsBeside } from './reply-reads.ts';
import { medianTimeToReady, medianTimesToReadyBeside, timeToReady } from './startup.ts';

const EXPORTS = 3;
const PEAK_RSS = /^peak_rss_kb: (\d+)$/m;

/** One `npm run export -- calibration` in a child process: its wall time from spawn to exit, and its peak RSS. */
async function exportOnce(database: string, out: string): Promise<{ seconds: number; peakRssMb: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/export-child.ts', 'calibration', '--out', out], {
    env: { PATH: process.env['PATH'] ?? '', CRUX_DATABASE: database },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - start) / 1000;
  const peak = PEAK_RSS.exec(stderr)?.[1];
  if (code !== 0 || peak === undefined) throw new Error(`the export failed (exit ${code}):\n${stderr}`);
  return { seconds, peakRssMb: Number(peak) / 1024 };
}

/**
 * A server's worth of history, built fresh each run: 1,000,000 trades by 10,000 members on 2,000 resolved markets.
 * On it, the calibration export (every member's scores and calibration table, as CSV), the console's start-up (the
 * first folds the whole ledger into a checkpoint, later ones only the rows since), the scheduled full rebuild and the
 * longest stall it causes, the reads behind each interactive reply, and the replies bench with the bot on this file;
 * with `BENCH_LARGE=1`, then three times that history beside it (`runThreeMillionTradesBench`).
 */
export async function runMillionTradesBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    const database = join(dir, 'million.sqlite');
    build(database, MILLION_TRADES, report);
    const runs = [];
    for (let i = 0; i < EXPORTS; i++) runs.push(await exportOnce(database, join(dir, `calibration-${i}.csv`)));
    report.note(`calibration export, ${EXPORTS} runs, each a new process from spawn to exit: ${runs.map((run) => `${run.seconds.toFixed(2)} s`).join(', ')}`);
    report.figure('export_1m_s', median(runs.map((run) => run.seconds)), 2);
    report.figure('export_peak_rss_mb', median(runs.map((run) => run.peakRssMb)), 0);
    await benchReplyReads(database, report);
    // The first start after the upgrade folds the whole ledger once and keeps a checkpoint; later ones fold the rows since.
    report.figure('startup_first_ms', await timeToReady(database), 0);
    const started = await medianTimesToReadyBeside(database, join(dir, 'empty.sqlite'));
    report.figure('startup_ms', started.ms, 0);
    report.figure('startup_empty_beside_ms', started.emptyMs, 0);
    report.figure('startup_vs_empty', started.ms / started.emptyMs, 2);
    await benchFullVerify(database, report);
    // The replies bench again with the bot on this file: its figures named with _1m, beside the fresh file's.
    await runReplyLatencyBench(withSuffix(report, '_1m'), database);
    // Last, as it trades on the file: the bot as its own process, so its memory is its own.
    await runBotProcessBench(database, report);
    if (process.env.BENCH_LARGE === '1') await runThreeMillionTradesBench(database, dir, report);
    else report.note('three million trades: skipped (set BENCH_LARGE=1)');
  });
}

function build(database: string, shape: LargeDatabaseShape, report: Report): void {
  const built = performance.now();
  buildLargeDatabase(database, shape);
  report.note(
    `database: ${shape.markets * shape.tradesPerMarket} trades by ${shape.users} members on ${shape.markets} markets (${shape.openMarkets} still open), ` +
      `${(statSync(database).size / 1e6).toFixed(0)} MB, built in ${((performance.now() - built) / 1000).toFixed(1)} s`,
  );
}

/**
 * Three million trades (30,000 members, 6,000 markets), built beside the million-trade file `million`: start-up on it,
 * and the reads behind each reply on both files in turn, figures named with `_3m` and as ratios of the million's.
 * Building it takes about three times as long as the million.
 */
async function runThreeMillionTradesBench(million: string, dir: string, report: Report): Promise<void> {
  const database = join(dir, 'three-million.sqlite');
  build(database, THREE_MILLION_TRADES, report);
  const large = withSuffix(report, '_3m');
  large.figure('startup_first_ms', await timeToReady(database), 0);
  large.figure('startup_ms', await medianTimeToReady(database), 0);
  await benchReplyReadsBeside(database, million, report);
}
