import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { MaintenanceReply, MaintenanceRequest } from './maintenance-protocol.ts';
import type { Db } from './open.ts';
import { forkSibling, stderrReason } from './sibling-process.ts';
import type { ChildVerifyReport, VerifyOptions } from './verify-in-child.ts';

/** SQLite's own default: where a connection checkpoints by itself once the WAL holds that many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;
/**
 * While the maintenance process checkpoints, the serving connection checkpoints only past this many pages: by then
 * the maintenance process has copied nearly all of them, so what is left is short, and the WAL starts over.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** How long a stop waits for the maintenance process to leave by itself. */
const STOP_WAIT_MS = 2_000;

/** The database's maintenance process, seen from the serving one (see maintenance-child.ts). */
export interface Maintenance {
  /** The full check (db/verify.ts) of the file, run in a child of the maintenance process at `priority`. */
  verify(options?: VerifyOptions): Promise<ChildVerifyReport>;
  /** Stops the maintenance process; the serving connection checkpoints by itself again. */
  stop(): Promise<void>;
}

/**
 * For a serving connection whose file another process of the bot maintains (the one that runs the jobs): it
 * checkpoints by itself only once the WAL is long, which it is only if the maintenance process has stopped.
 */
export function leaveCheckpointsToMaintenance(db: Db): void {
  if (!db.memory && !db.readonly) db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
}

/**
 * Starts the maintenance process for `db`, a writable database file: from now on the WAL's pages reach the database
 * file from that process, so no commit on `db` stops to copy them and sync the file. Undefined for a database in
 * memory or read-only, which has no WAL to keep. If the process ends, `onExit` hears it and `db` checkpoints itself.
 */
export function startMaintenance(db: Db, onExit: (code: number | null) => void = () => undefined): Maintenance | undefined {
  if (db.memory || db.readonly) return undefined;
  const child: ChildProcess = forkSibling('maintenance-child', [db.name], { priority: 0 });
  leaveCheckpointsToMaintenance(db);
  const waiting = new Map<number, { resolve: (report: ChildVerifyReport) => void; reject: (error: Error) => void }>();
  let stopping = false;
  let nextId = 0;
  const reason = stderrReason(child);
  child.on('message', (message: MaintenanceReply) => {
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if ('report' in message) request?.resolve(message.report);
    else request?.reject(new Error(message.error));
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      for (const request of waiting.values()) request.reject(new Error(`the maintenance process exited with code ${code}${reason()}`));
      waiting.clear();
      if (!stopping) onExit(code);
      resolve();
    }),
  );
  return {
    verify({ priority = constants.priority.PRIORITY_LOW, keepCheckpointAt } = {}) {
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) {
          reject(new Error('the maintenance process is not running'));
          return;
        }
        const id = (nextId += 1);
        waiting.set(id, { resolve, reject });
        const request: MaintenanceRequest = { id, priority, keepCheckpointAt };
        child.send(request);
      });
    },
    async stop() {
      stopping = true;
      if (child.connected) child.disconnect();
      // It exits on the disconnect; one stuck in a long checkpoint is asked again, then told.
      const stuck = setTimeout(() => child.kill('SIGTERM'), STOP_WAIT_MS);
      await exited;
      clearTimeout(stuck);
    },
  };
}
