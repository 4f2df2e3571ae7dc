import { z } from 'zod';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startMaintenance } from '../../db/maintenance.ts';
import { runScript } from '../support/process.ts';
import { openDatabase } from '../../db/open.ts';
import { takeScheduledVerify } from '../../bot/verify-job.ts';
import type { Report } from './report.ts';

/** `work`'s result and the longest this thread's event loop was held while it ran, watched at 1 ms resolution. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; maxStallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // A timer keeps the loop turning, so a stall shows as a late tick, as it would for a gateway event.
  const ticking = setInterval(() => {}, 1);
  delay.enable();
  try {
    return { value: await work(), maxStallMs: delay.max / 1e6 };
  } finally {
    delay.disable();
    clearInterval(ticking);
  }
}

/** What the scheduled full check cost a serving process: how long it ran, and the longest stalls with and without it. */
const fullVerifyFigures = z.object({
  seconds: z.number(),
  entries: z.number().int(),
  checkpointLedgerId: z.number().int(),
  maxStallMs: z.number(),
  idleMaxStallMs: z.number(),
});
export type FullVerifyFigures = z.infer<typeof fullVerifyFigures>;

/**
 * How long the idle loop is watched before the check. V8's memory reducer makes its collections in the first seconds
 * after start-up (up to 17 ms each here, seen with --trace-gc, 8–10 s after start); watched first, they land in the
 * idle figure, where they belong, and not in the check's.
 */
const IDLE_WATCH_SECONDS = 20;

/**
 * The scheduled full check on the large database, as the bot runs it (a low-priority child of the database's
 * maintenance process, which also moves the checkpoint on), while this thread's event loop is watched at 1 ms
 * resolution: its longest stall is what a member's reply could have waited for the check. The maintenance process is
 * started first, as the bot starts it at start-up, and the idle loop is watched before the check, as long-running a
 * process as the bot's when its weekly check comes. Run in a process of its own (verify-stall-child.ts), so the stall
 * is not the benchmark's own garbage being collected.
 */
export async function measureFullVerify(database: string): Promise<FullVerifyFigures> {
  const db = openDatabase(database);
  const maintenance = startMaintenance(db);
  try {
    // On a shared machine the scheduler alone stalls a thread now and then: this is the figure to compare with.
    const idle = await longestStall(() => new Promise((resolve) => setTimeout(resolve, IDLE_WATCH_SECONDS * 1000)));
    const start = performance.now();
    const { value: verified, maxStallMs } = await longestStall(() => takeScheduledVerify(db, Date.now(), () => {}, { maintenance }));
    const seconds = (performance.now() - start) / 1000;
    if (!verified?.ok) throw new Error(`the large database does not verify: ${verified?.problems.join('\n') ?? 'no report'}`);
    return { seconds, entries: verified.entries, checkpointLedgerId: verified.checkpointLedgerId, maxStallMs, idleMaxStallMs: idle.maxStallMs };
  } finally {
    await maintenance?.stop();
    db.close();
  }
}

/** `measureFullVerify` in a new process (verify-stall-child.ts), its figures reported here. */
export async function benchFullVerify(database: string, report: Report): Promise<void> {
  const { code, stdout, stderr } = await runScript('test/bench/verify-stall-child.ts', [database], {});
  if (code !== 0) throw new Error(`the full check's benchmark failed (exit ${code}):\n${stderr}`);
  const figures = fullVerifyFigures.parse(JSON.parse(stdout));
  report.note(`full rebuild of ${figures.entries} ledger rows in a child process, checkpoint moved to entry ${figures.checkpointLedgerId}`);
  report.figure('verify_full_1m_s', figures.seconds, 2);
  report.figure('verify_max_stall_ms', figures.maxStallMs, 1);
  report.figure('idle_max_stall_ms', figures.idleMaxStallMs, 1);
}
