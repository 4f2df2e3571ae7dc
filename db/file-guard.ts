import { existsSync, statSync } from 'node:fs';
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
 * How often both files are compared with the ones opened: a replaced file (a restore under a running bot) shows up
 * within a second.
 */
const COMPARE_EVERY_MS = 1_000;

/**
 * How often the -wal is looked for in between. A removed -wal takes every trade since the last checkpoint with it
 * when the process dies, but a clean close still writes them all back, those made since the removal included; so
 * writes stop within 10 ms of it, and a member trading alone, who can make fifty trades in that time, does not pay
 * a lookup (5 µs, a tenth of a trade's own work) for each.
 */
const LOOK_EVERY_MS = 10;

/**
 * Notices that the database file or its -wal was removed or replaced under the running process. SQLite would go on
 * writing to the files it holds open, which nobody else can see any more. Once tripped it stays tripped.
 *
 * Between comparisons the -wal's name is only looked up (`existsSync`, one `access` call), not stat'ed: a stat reads
 * the file's timestamps, and a timestamp that was read makes the next write store a fine-grained one (Linux's
 * multigrain timestamps), which leaves the inode dirty, so every commit's fsync also committed the file system's
 * journal: 70–100 µs a trade, measured on the benchmark machine.
 */
export class DatabaseFiles {
  private lost: string | undefined;
  private comparedAt = Number.NEGATIVE_INFINITY;
  private lookedAt = Number.NEGATIVE_INFINITY;

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
    const now = this.now();
    const compare = now - this.comparedAt >= COMPARE_EVERY_MS;
    const look = now - this.lookedAt >= LOOK_EVERY_MS;
    if (compare) this.comparedAt = now;
    if (look) this.lookedAt = now;
    const wal = `${this.path}-wal`;
    if (this.wal !== undefined && (compare ? !same(identity(wal), this.wal) : look && !existsSync(wal))) {
      this.lost = `${wal} was removed or replaced under Crux. Stop it with SIGTERM (never kill -9): closing writes the trades the removed -wal still holds back into ${this.path}. Then start it again.`;
    } else if (compare && !same(identity(this.path), this.main)) {
      this.lost = `${this.path} was removed or replaced under Crux, which can no longer write to the file everyone else sees. Stop it, make sure the right file is in place, and start it again.`;
    }
    return this.lost;
  }
}
