/**
 * The full rebuild of db/verify.ts on a thread of its own, over its own read-only connection: the scheduled check
 * reads the whole ledger without holding the bot's event loop. Started by `verifyInWorker` (verify-in-worker.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { openDatabase } from './open.ts';
import { verify } from './verify.ts';

const { path } = z.object({ path: z.string().min(1) }).parse(workerData);
const db = openDatabase(path, { readonly: true });
try {
  parentPort?.postMessage(verify(db));
} finally {
  db.close();
}
