import { statSync } from 'node:fs';
import type { Db } from './open.ts';

interface Identity {
  dev: number;
  ino: number;
}

function identity(path: string): Identity | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino };
}

function same(now: Identity | undefined, then: Identity): boolean {
  return now !== undefined && now.dev === then.dev && now.ino === then.ino;
}

/**
 * The main file is replaced rarely (a restore under a running bot) and its loss shows up in every read, so once a
 * second is enough. The WAL holds every trade since the last checkpoint and nothing else would notice its loss, so it
 * is looked at before every write: one stat, about 7 µs on the benchmark machine against a trade's 250 µs.
 */
const MAIN_FILE_EVERY_MS = 1_000;

/**
 * Notices that the database file or its -wal was removed or replaced under the running process. SQLite would go on
 * writing to the files it holds open, which nobody else can see any more: a removed -wal takes every trade since the
 * last checkpoint with it when the process dies. Once tripped it stays tripped.
 */
export class DatabaseFiles {
  private lost: string | undefined;
  private mainCheckedAt = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly path: string,
    private readonly main: Identity,
    private readonly wal: Identity | undefined,
    private readonly now: () => number,
  ) {}

  /** Undefined for a database that writes no file of its own (in memory, or opened read-only). */
  static of(db: Db, now: () => number = Date.now): DatabaseFiles | undefined {
    if (db.memory || db.readonly) return undefined;
    const main = identity(db.name);
    return main === undefined ? undefined : new DatabaseFiles(db.name, main, identity(`${db.name}-wal`), now);
  }

  /** Why writing must stop, in words for the operator, or undefined while the files are still the ones opened. */
  problem(): string | undefined {
    if (this.lost !== undefined) return this.lost;
    if (this.wal !== undefined && !same(identity(`${this.path}-wal`), this.wal)) {
      this.lost = `${this.path}-wal was removed or replaced under Crux. Stop it with SIGTERM (never kill -9): closing writes the trades the removed -wal still holds back into ${this.path}. Then start it again.`;
    } else if (this.now() - this.mainCheckedAt >= MAIN_FILE_EVERY_MS) {
      this.mainCheckedAt = this.now();
      if (!same(identity(this.path), this.main)) {
        this.lost = `${this.path} was removed or replaced under Crux, which can no longer write to the file everyone else sees. Stop it, make sure the right file is in place, and start it again.`;
      }
    }
    return this.lost;
  }
}
