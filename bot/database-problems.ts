import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/*
 * What start-up says when the file behind CRUX_DATABASE cannot be served: one line each, saying what is wrong and
 * what to do, instead of SQLite's error and a stack trace.
 */

const RESTORE = 'restore a backup (npm run backup -- --restore FILE)';
/** A file SQLite's quick_check finds damaged, and what to do. */
export function damagedFile(path: string, findings: readonly string[]): string {
  return `${path} is damaged (SQLite's quick_check: ${findings.join('; ')}): ${RESTORE}`;
}

export const READ_ONLY_WAY_ROUND = 'To serve it read-only meanwhile (everything can be read, nothing changed): npm start -- --read-only';

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' ? (error as NodeJS.ErrnoException).code : undefined;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refusals that need no SQLite: a folder where the file should be, or a file or folder this user may not write. SQLite
 * would open a write-protected file read-only without a word and fail on the first trade; WAL mode also needs to
 * create the -wal and -shm files beside the database.
 */
export function fileProblem(path: string, readOnly: boolean): string | undefined {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') return `cannot read ${path} (${errnoCode(error) ?? String(error)}): check CRUX_DATABASE and the file's permissions.`;
    return readOnly ? `there is no database at ${path} to serve read-only: check CRUX_DATABASE.` : undefined;
  }
  if (isDirectory) return `CRUX_DATABASE (${path}) is a folder, not a database file: set it to a file such as ${path.replace(/\/+$/, '')}/crux.sqlite.`;
  if (readOnly) return undefined;
  if (!writable(path)) return `${path} is read-only for this user: make it writable (check its owner and mode), or serve it without changes. ${READ_ONLY_WAY_ROUND}`;
  if (!writable(dirname(path))) {
    return `the folder ${dirname(path)} is read-only for this user, and SQLite must create ${path}-wal and -shm in it: make the folder writable, or move the database to one that is.`;
  }
  return undefined;
}

/** The one line for an error opening the database, or undefined when it is not the file's fault (a bug: let it throw). */
export function openProblem(path: string, error: unknown): string | undefined {
  if (error instanceof Database.SqliteError) {
    const code = error.code;
    if (code === 'SQLITE_NOTADB') return `${path} is not a SQLite database (it holds something else, or is encrypted or overwritten): point CRUX_DATABASE at Crux's database, or ${RESTORE}.`;
    if (code.startsWith('SQLITE_CORRUPT')) return `${path} is damaged (SQLite: ${error.message}): ${RESTORE}. ${READ_ONLY_WAY_ROUND}`;
    if (code.startsWith('SQLITE_CANTOPEN')) return `SQLite cannot open ${path} (${error.message}): check that its folder exists and this user may write there.`;
    if (code.startsWith('SQLITE_READONLY')) return `${path} cannot be written (SQLite: ${error.message}): make it and its folder writable. ${READ_ONLY_WAY_ROUND}`;
    if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') return `SQLite could not read or write ${path} (${error.message}): check the disk and free space.`;
    return undefined;
  }
  const errno = errnoCode(error);
  if (errno !== undefined) return `cannot prepare ${path} (${errno}: ${error instanceof Error ? error.message : ''}): check CRUX_DATABASE and that this user may write its folder.`;
  return undefined;
}
