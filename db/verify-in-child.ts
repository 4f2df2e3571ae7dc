import { constants } from 'node:os';
import { forkSibling, stderrReason } from './sibling-process.ts';
import type { VerifyReport } from './verify.ts';

/** The full check's report, with the ledger row its summary reaches (the checkpoint it kept, when it kept one). */
export type ChildVerifyReport = Omit<VerifyReport, 'summary'> & { checkpointLedgerId: number };

/** How a full check runs: at `priority` (the lowest unless given), and, given `keepCheckpointAt`, moving the checkpoint on. */
export interface VerifyOptions {
  priority?: number | undefined;
  keepCheckpointAt?: number | undefined;
}

/**
 * The lowered priority is given to the child's main thread only (Linux sets it per thread, and V8's helper threads
 * exist before it is set): without helper threads for garbage collection and compiling, the whole check runs at it.
 */
const ONE_THREAD = ['--single-threaded'];

/**
 * `verify` (the full rebuild) of the database file at `path`, in a child process with its own read connection: it
 * sees one snapshot however long it runs, while this process goes on serving. The child runs at the lowest CPU
 * priority unless told otherwise, so on a busy machine its seconds of reading never take a core from the bot's
 * replies (on a saturated one it waits until the cores are free). Given `keepCheckpointAt`, a ledger that verifies
 * moves the checkpoint on, written by the child with that time. The report arrives as one small message.
 */
export function verifyInChild(path: string, { priority = constants.priority.PRIORITY_LOW, keepCheckpointAt }: VerifyOptions = {}): Promise<ChildVerifyReport> {
  return new Promise((resolve, reject) => {
    const child = forkSibling('verify-child', [path, ...(keepCheckpointAt === undefined ? [] : [String(keepCheckpointAt)])], { priority, execArgv: ONE_THREAD });
    const reason = stderrReason(child);
    let report: ChildVerifyReport | undefined;
    child.once('message', (message) => (report = message as ChildVerifyReport));
    child.once('error', reject);
    child.once('exit', (code) =>
      report === undefined ? reject(new Error(`the verify process exited with code ${code} before reporting${reason()}`)) : resolve(report),
    );
  });
}
