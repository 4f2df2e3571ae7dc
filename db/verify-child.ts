/**
 * The full check of db/verify.ts in a process of its own, over its own read-only connection: the scheduled check
 * reads the whole ledger without holding the bot's event loop. Started by `verifyInChild` (verify-in-child.ts), with
 * the database's path and, when the checkpoint may move, the time to stamp it with.
 */
import { z } from 'zod';
import { saveCheckpoint } from './checkpoint.ts';
import { quickCheck } from './health.ts';
import { openDatabase } from './open.ts';
import { verify } from './verify.ts';

const path = z.string().min(1).parse(process.argv[2]);
const keepAt = z.coerce.number().int().optional().parse(process.argv[3]);
const db = openDatabase(path, { readonly: true });
try {
  // The whole file's structure first: start-up leaves the history tables' pages to this check.
  const damage = quickCheck(db).map((finding) => `SQLite's quick_check: ${finding}`);
  const { summary, ...report } = verify(db);
  const problems = [...damage, ...report.problems];
  const ok = problems.length === 0;
  if (ok && keepAt !== undefined) {
    // Written here, not by the bot: encoding and storing every balance would hold the bot's event loop for tens of
    // milliseconds on a large server. A checkpoint only moves forward, so a start-up's newer one is never undone.
    const writer = openDatabase(path);
    try {
      saveCheckpoint(writer, summary, keepAt);
    } finally {
      writer.close();
    }
  }
  process.send?.({ ...report, ok, problems, checkpointLedgerId: summary.ledgerId });
} finally {
  db.close();
}
