import type { Maintenance } from '../db/maintenance.ts';
import type { Db } from '../db/open.ts';
import { type ChildVerifyReport, verifyInChild } from '../db/verify-in-child.ts';
import type { Logger } from './log.ts';
import { errorMessage } from '../markets/errors.ts';

/**
 * The scheduled full rebuild of the ledger (CRUX_VERIFY_CRON), in a child process at low priority so the bot keeps
 * answering. A ledger that verifies moves the checkpoint on to what the check saw, so the next start-up has fewer
 * rows to fold; one that does not is logged with its first problems (the bot goes on: the next start-up refuses it).
 * With the database's maintenance process running, the child is its (see db/maintenance.ts).
 */
export async function takeScheduledVerify(
  db: Db,
  now: number,
  log: Logger,
  { priority, maintenance }: { priority?: number | undefined; maintenance?: Maintenance | undefined } = {},
): Promise<ChildVerifyReport | undefined> {
  if (db.memory) return undefined;
  try {
    const options = { priority, keepCheckpointAt: db.readonly ? undefined : now };
    const report = await (maintenance ? maintenance.verify(options) : verifyInChild(db.name, options));
    if (report.ok) {
      log('the ledger verifies', { entries: report.entries, checkpoint: report.checkpointLedgerId });
    } else {
      log('the ledger does not verify', { problems: report.problems.slice(0, 3) });
    }
    return report;
  } catch (error) {
    log('the scheduled ledger check failed', { error: errorMessage(error) });
    return undefined;
  }
}
