import { closeSync, fdatasync, openSync } from 'node:fs';
import { CruxError, errorMessage } from '../markets/errors.ts';
import type { Db } from './open.ts';

/**
 * Connections opened for group commit (see `openDatabase`'s `groupCommit`), whose commits skip SQLite's own sync, each
 * with the one `GroupCommit` every store on it shares.
 */
const groupCommits = new WeakMap<Db, GroupCommit>();

/**
 * Group commit: durable acknowledgements without a disk sync on the event loop. The connection commits with
 * `synchronous = NORMAL`, which writes each commit's WAL frames but does not wait for the disk; before a reply
 * acknowledges a change, `durable()` waits until one `fdatasync` of the WAL, begun after that commit, has returned.
 * The sync runs on libuv's thread pool, so the loop goes on serving meanwhile, and every commit made while one sync
 * runs shares the next: under load, one sync covers a batch of trades instead of each waiting for its own.
 *
 * An acknowledged change survives a power cut, as with `synchronous = FULL`. A change not yet acknowledged can be seen
 * by other members before its sync ends, and a power cut in that moment takes it back with nobody told it happened.
 * A process crash loses nothing committed (WAL). Each sync opens the WAL file afresh (a file's pages are synced
 * whichever descriptor asks), so nothing stays open after the connection closes; opening and closing are quick
 * calls here, and only the sync itself waits for the thread pool, in one trip.
 */
export class GroupCommit {
  private commits = 0;
  private syncedThrough = 0;
  private syncing: Promise<void> | undefined;
  private failure: CruxError | undefined;

  private constructor(
    private readonly walPath: string,
    private readonly syncWal: (path: string) => Promise<void>,
  ) {}

  /**
   * Makes `db`, a file's connection set to `synchronous = NORMAL`, one whose stores wait for a shared sync: by default
   * `fdatasync` of its WAL file.
   */
  static attach(db: Db, syncWal: (path: string) => Promise<void> = syncFile): void {
    groupCommits.set(db, new GroupCommit(`${db.name}-wal`, syncWal));
  }

  /** Undefined unless `db` was opened for group commit: then each commit is synced where it was made. */
  static of(db: Db): GroupCommit | undefined {
    return groupCommits.get(db);
  }

  /** Counts a commit made on the connection: the next `durable()` waits for a sync begun after it. */
  committed(): void {
    this.commits += 1;
  }

  /** Why writing must stop: a sync failed, and after a failed sync the kernel may no longer hold what it lost. */
  problem(): CruxError | undefined {
    return this.failure;
  }

  /** Resolves once every commit counted so far is on disk. */
  async durable(): Promise<void> {
    const through = this.commits;
    while (this.syncedThrough < through) {
      if (this.failure) throw this.failure;
      this.syncing ??= this.sync();
      await this.syncing;
    }
  }

  private async sync(): Promise<void> {
    const covers = this.commits;
    try {
      await this.syncWal(this.walPath);
      this.syncedThrough = covers;
    } catch (error) {
      this.failure = new CruxError(
        'storage_lost',
        `Crux could not make sure its last changes reached the server's disk (${errorMessage(error)}), so it has stopped saving changes; the operators must restart it.`,
      );
    } finally {
      this.syncing = undefined;
    }
  }
}

/** `fdatasync` of the file at `path`, off the event loop. */
function syncFile(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(path, 'r+');
    fdatasync(fd, (error) => {
      closeSync(fd);
      if (error) reject(error);
      else resolve();
    });
  });
}
