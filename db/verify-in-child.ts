import { fork } from 'node:child_process';
import { setPriority, constants } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VerifyReport } from './verify.ts';

/** The full check's report, with the ledger row its summary reaches (the checkpoint it kept, when it kept one). */
export type ChildVerifyReport = Omit<VerifyReport, 'summary'> & { checkpointLedgerId: number };

const ownExtension = extname(fileURLToPath(import.meta.url));
const CHILD = fileURLToPath(new URL(`./verify-child${ownExtension}`, import.meta.url));
/** Run from the TypeScript sources (tests, `npm start` through tsx), the child needs tsx's loader; built, it is plain JS. */
/**
 * The lowered priority is given to the child's main thread only (Linux sets it per thread, and V8's helper threads
 * exist before it is set): without helper threads for garbage collection and compiling, the whole check runs at it.
 */
const ONE_THREAD = ['--single-threaded'];
const LOADER = ownExtension === '.ts' && !process.execArgv.some((arg) => arg.includes('tsx')) ? ['--import', 'tsx'] : [];

/**
 * `verify` (the full rebuild) of the database file at `path`, in a child process with its own read connection: it
 * sees one snapshot however long it runs, while this process goes on serving. The child runs at the lowest CPU
 * priority unless told otherwise, so on a busy machine its seconds of reading never take a core from the bot's
 * replies (on a saturated one it waits until the cores are free). Given `keepCheckpointAt`, a ledger that verifies
 * moves the checkpoint on, written by the child with that time. The report arrives as one small message.
 */
export function verifyInChild(path: string, { priority = constants.priority.PRIORITY_LOW, keepCheckpointAt }: { priority?: number; keepCheckpointAt?: number } = {}): Promise<ChildVerifyReport> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [path, ...(keepCheckpointAt === undefined ? [] : [String(keepCheckpointAt)])], { execArgv: [...process.execArgv, ...LOADER, ...ONE_THREAD], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, priority);
      } catch {
        // Lowering a child's priority is a courtesy; where the system refuses it, the check runs at normal priority.
      }
    }
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let report: ChildVerifyReport | undefined;
    child.once('message', (message) => (report = message as ChildVerifyReport));
    child.once('error', reject);
    child.once('exit', (code) =>
      report === undefined ? reject(new Error(`the verify process exited with code ${code} before reporting${stderr === '' ? '' : `: ${stderr.trim().split('\n')[0]}`}`)) : resolve(report),
    );
  });
}
