/**
 * The full rebuild of db/verify.ts in a process of its own, over its own read-only connection: the scheduled check
 * reads the whole ledger without holding the bot's event loop. Started by `verifyInChild` (verify-in-child.ts).
 */
import { z } from 'zod';
import { encodeCheckpoint } from './checkpoint.ts';
import { quickCheck } from './health.ts';
import { openDatabase } from './open.ts';
import { verify } from './verify.ts';

const path = z.string().min(1).parse(process.argv[2]);
const db = openDatabase(path, { readonly: true });
try {
  // The summary goes back encoded, so the serving process only writes it: no map to rebuild, no text to hash.
  // The whole file's structure first: start-up leaves the history tables' pages to this check.
  const damage = quickCheck(db).map((finding) => `SQLite's quick_check: ${finding}`);
  const { summary, ...report } = verify(db);
  const problems = [...damage, ...report.problems];
  process.send?.({ ...report, ok: problems.length === 0, problems, checkpoint: encodeCheckpoint(summary) });
} finally {
  db.close();
}
