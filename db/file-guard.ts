import { readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

/** Where Linux names the file behind each open descriptor; a removed or replaced file's name ends in " (deleted)". */
const OPEN_DESCRIPTORS = '/proc/self/fd';

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** A link in /proc/self/fd naming `path`'s file, which SQLite holds open; undefined where there is no such listing. */
function descriptorNaming(path: string): string | undefined {
  let target: string;
  let descriptors: string[];
  try {
    target = realpathSync(path);
    descriptors = readdirSync(OPEN_DESCRIPTORS);
  } catch {
    return undefined;
  }
  return descriptors.map((fd) => join(OPEN_DESCRIPTORS, fd)).find((link) => readLink(link) === target);
}

/**
 * The main file is replaced rarely (a restore under a running bot) and its loss shows up in every read, so once a
 * second is enough. The WAL holds every trade since the last checkpoint and nothing else would notice its loss, so it
 * is looked at before every write.
 */
const FULL_CHECK_EVERY_MS = 1_000;

/**
 * Notices that the database file or its -wal was removed or replaced under the running process. SQLite would go on
 * writing to the files it holds open, which nobody else can see any more: a removed -wal takes every trade since the
 * last checkpoint with it when the process dies. Once tripped it stays tripped.
 *
 * Before every write the -wal is looked at through the name Linux gives SQLite's open descriptor, not with a stat: a
 * stat reads the file's timestamps, and a timestamp that was read makes the next write store a fine-grained one
 * (Linux's multigrain timestamps), which leaves the inode dirty and costs every commit's fsync a journal commit of its
 * own: 70–100 µs a trade, measured on the benchmark machine. The stat still runs once a second, and wherever the link
 * does not name the file as it did.
 */
export class DatabaseFiles {
  private lost: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private walDescriptor: { link: string; names: string } | undefined;

  private constructor(
    private readonly path: string,
    private readonly main: Identity,
    private readonly wal: Identity | undefined,
    private readonly now: () => number,
  ) {
    this.findWalDescriptor();
  }

  /** Undefined for a database that writes no file of its own (in memory, or opened read-only). */
  static of(db: Db, now: () => number = Date.now): DatabaseFiles | undefined {
    if (db.memory || db.readonly) return undefined;
    const main = identity(db.name);
    return main === undefined ? undefined : new DatabaseFiles(db.name, main, identity(`${db.name}-wal`), now);
  }

  /** Why writing must stop, in words for the operator, or undefined while the files are still the ones opened. */
  problem(): string | undefined {
    if (this.lost !== undefined) return this.lost;
    const fullCheck = this.now() - this.checkedAt >= FULL_CHECK_EVERY_MS;
    if (fullCheck) this.checkedAt = this.now();
    if (this.wal !== undefined && !this.walStillOpen(fullCheck)) {
      this.lost = `${this.path}-wal was removed or replaced under Crux. Stop it with SIGTERM (never kill -9): closing writes the trades the removed -wal still holds back into ${this.path}. Then start it again.`;
    } else if (fullCheck && !same(identity(this.path), this.main)) {
      this.lost = `${this.path} was removed or replaced under Crux, which can no longer write to the file everyone else sees. Stop it, make sure the right file is in place, and start it again.`;
    }
    return this.lost;
  }

  private walStillOpen(fullCheck: boolean): boolean {
    const descriptor = this.walDescriptor;
    if (!fullCheck && descriptor !== undefined && readLink(descriptor.link) === descriptor.names) return true;
    if (this.wal === undefined || !same(identity(`${this.path}-wal`), this.wal)) return false;
    // The file is the one opened; the descriptor found may have been another connection's, since closed.
    if (descriptor === undefined || readLink(descriptor.link) !== descriptor.names) this.findWalDescriptor();
    return true;
  }

  private findWalDescriptor(): void {
    const link = this.wal === undefined ? undefined : descriptorNaming(`${this.path}-wal`);
    const names = link === undefined ? undefined : readLink(link);
    this.walDescriptor = link === undefined || names === undefined ? undefined : { link, names };
  }
}
