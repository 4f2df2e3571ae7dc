import { SqliteStore } from '../../db/sqlite-store.ts';

/**
 * The production store, timing each use case's transaction in two parts: the work inside it (reads, pricing,
 * writes) and the rest, which is BEGIN IMMEDIATE and the COMMIT that waits for the disk.
 */
export class TransactionTimingStore extends SqliteStore {
  transactions = 0;
  workMs = 0;
  commitMs = 0;

  override atomically<T>(work: () => T): T {
    const start = performance.now();
    let workMs = 0;
    const result = super.atomically(() => {
      const workStart = performance.now();
      try {
        return work();
      } finally {
        workMs = performance.now() - workStart;
      }
    });
    this.transactions += 1;
    this.workMs += workMs;
    this.commitMs += performance.now() - start - workMs;
    return result;
  }

  resetTimings(): void {
    this.transactions = 0;
    this.workMs = 0;
    this.commitMs = 0;
  }
}
