import { saveCheckpoint } from '../db/checkpoint.ts';
import type { Db } from '../db/open.ts';
import type { VerifyReport } from '../db/verify.ts';
import { verifyInWorker } from '../db/verify-in-worker.ts';
import type { Logger } from './log.ts';

/**
 * The scheduled full rebuild of the ledger (CRUX_VERIFY_CRON), on a worker thread so the bot keeps answering. A ledger
 * that verifies moves the checkpoint on to what the worker saw, so the next start-up has fewer rows to fold; one that
 * does not is logged with its first problems (the bot goes on: the next start-up refuses it, or a person looks).
 */
export async function takeScheduledVerify(db: Db, now: number, log: Logger): Promise<VerifyReport | undefined> {
  if (db.memory) return undefined;
  try {
    const report = await verifyInWorker(db.name);
    if (report.ok) {
      if (!db.readonly) saveCheckpoint(db, report.summary, now);
      log('the ledger verifies', { entries: report.entries, checkpoint: report.summary.ledgerId });
    } else {
      log('the ledger does not verify', { problems: report.problems.slice(0, 3) });
    }
    return report;
  } catch (error) {
    log('the scheduled ledger check failed', { error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}
