import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerifyReport } from './verify.ts';

const ownExtension = extname(fileURLToPath(import.meta.url));
const WORKER = new URL(`./verify-worker${ownExtension}`, import.meta.url);

/**
 * Built, the worker is plain JavaScript. Run from the TypeScript sources (tests, `npm start` through tsx), it needs
 * tsx's loader registered in its own thread first: a worker's `--import` does not install loader hooks in Node 20.
 */
function startWorker(path: string): Worker {
  if (ownExtension !== '.ts') return new Worker(WORKER, { workerData: { path } });
  // An evaluated worker resolves bare names from the working directory: the project's, wherever the sources run from.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { path } });
}

/**
 * `verify` (the full rebuild) of the database file at `path`, on a worker thread with its own read connection: it
 * sees one snapshot however long it runs, while this thread goes on serving. The report arrives as one message.
 */
export function verifyInWorker(path: string): Promise<VerifyReport> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(path);
    let report: VerifyReport | undefined;
    worker.once('message', (message: VerifyReport) => (report = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (report === undefined ? reject(new Error(`the verify worker exited with code ${code} before reporting`)) : resolve(report)));
  });
}
