/**
 * The database's maintenance process (started by `startMaintenance`, maintenance.ts), with its own connection to the
 * file at argv[2]: it moves the WAL's pages into the database file every moment it can, and runs the full check when
 * asked. Both are waits for the disk that the serving process must not sit through on its event loop. It exits when
 * the serving process disconnects, however that process ended.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import { CHECKPOINT_EVERY_MS, maintenanceRequest, type MaintenanceReply } from './maintenance-protocol.ts';
import { verifyInChild } from './verify-in-child.ts';
import { errorMessage } from '../markets/errors.ts';

const path = z.string().min(1).parse(process.argv[2]);
const db = new Database(path, { fileMustExist: true });
// A checkpoint syncs the WAL before it copies and the database file after; it never waits for the serving process.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // Busy (another process is checkpointing) or a moment's error: the next tick tries again.
  }
}, CHECKPOINT_EVERY_MS);

const reply = (message: MaintenanceReply) => process.send?.(message);

process.on('message', (message) => {
  const request = maintenanceRequest.parse(message);
  // Forked from here, a process a few tens of MB large, rather than from the serving one, whose size makes a fork
  // hold its event loop for tens of milliseconds.
  verifyInChild(path, { priority: request.priority, keepCheckpointAt: request.keepCheckpointAt }).then(
    (report) => reply({ id: request.id, report }),
    (error: unknown) => reply({ id: request.id, error: errorMessage(error) }),
  );
});

const stop = () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
};
process.on('disconnect', stop);
// A serving process that stopped while this one was still loading has disconnected already, unheard.
if (!process.connected) stop();
