import { openDatabase } from '../../db/open.ts';

/** About the size of a trade's ledger row, so both benchmarks commit rows of a similar size. */
const PAYLOAD = 'x'.repeat(160);

export interface RawCommits {
  commitOne(): void;
  close(): void;
}

/**
 * The ceiling for durable trades one at a time: one single-row insert per immediate transaction, on a database
 * opened as the trades bench opens its own (WAL, synchronous FULL), so each commit waits for the disk as a trade does.
 */
export function openRawCommits(path: string): RawCommits {
  const db = openDatabase(path);
  db.exec('CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, payload TEXT NOT NULL) STRICT');
  const insert = db.prepare('INSERT INTO bench_rows (at, payload) VALUES (?, ?)');
  const insertInTransaction = db.transaction((at: number) => insert.run(at, PAYLOAD));
  let at = 0;
  return {
    commitOne: () => {
      insertInTransaction.immediate((at += 1));
    },
    close: () => db.close(),
  };
}
