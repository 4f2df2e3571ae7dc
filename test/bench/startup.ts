import { join } from 'node:path';
import { spawnBuiltCrux } from '../support/process.ts';
import { median, withTempDir } from './measure.ts';
import type { Report } from './report.ts';

const STARTS = 3;
const READY = 'Type /help for commands.';

/**
 * From spawning the bot as `npm start` runs it once compiled (the console) to its prompt: config, open, migrate, verify
 * the ledger since its checkpoint, ready. The compile before it (about a second when nothing changed) is not counted.
 */
export async function timeToReady(database: string): Promise<number> {
  const start = performance.now();
  const crux = spawnBuiltCrux([], { CRUX_DATABASE: database });
  await crux.waitForOutput(READY, 120_000);
  const ms = performance.now() - start;
  crux.child.stdin.end();
  await crux.exited;
  return ms;
}

/** The median of three starts, so one start slowed by other work on the machine does not decide the figure. */
export async function medianTimeToReady(database: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) times.push(await timeToReady(database));
  return median(times);
}

/**
 * Starts on `database` in turn with starts on an empty one (created by the first), so both medians meet the machine
 * in the same state: what matters is their ratio, and a machine that slows for a minute would move only one of them
 * if they were taken minutes apart.
 */
export async function medianTimesToReadyBeside(database: string, empty: string): Promise<{ ms: number; emptyMs: number }> {
  const times: number[] = [];
  const emptyTimes: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    emptyTimes.push(await timeToReady(empty));
    times.push(await timeToReady(database));
  }
  return { ms: median(times), emptyMs: median(emptyTimes) };
}

/** Start-up on an empty database; `million.ts` times it on a million trades. */
export async function runStartupBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    report.figure('startup_empty_ms', await medianTimeToReady(join(dir, 'empty.sqlite')), 0);
  });
}
