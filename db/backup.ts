import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { replaceDurably, sameFile } from './backup-files.ts';
import { backupFileName, backupTakenAt, isPartialBackupName } from './backup-names.ts';
import { quickCheck } from './health.ts';
import { openDatabase, type Db } from './open.ts';
import { verify, type VerifyReport } from './verify.ts';
import { errorMessage } from '../markets/errors.ts';

export interface BackupFile {
  path: string;
  bytes: number;
}

export interface StoredBackup {
  path: string;
  /** The time in the file's name (epoch ms), which is what orders backups; mtimes change when files are copied. */
  takenAt: number;
}

/** A restore that was refused before anything was touched; the message says why. */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';
}

/** The files SQLite keeps beside a database; left behind by the old one, they would be read as part of the restored one. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

/** A name no other writer will pick, beside `path`, so a rename into place stays on one file system. */
function scratchPath(path: string, purpose: string): string {
  return `${path}.${randomBytes(4).toString('hex')}.${purpose}`;
}

function removeSideFiles(path: string): void {
  for (const suffix of SIDE_FILES) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * A backup copies the source's WAL flag; switching the copy to a rollback journal makes it one
 * self-contained file, which opening it read-only later leaves without a -wal or -shm beside it.
 */
function detachFromWal(path: string): void {
  const copy = new Database(path);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/**
 * Takes an online backup of `db` into `folder`, named for `now`. SQLite copies the pages a few at a time
 * between the event loop's other work, so trades go on meanwhile and the copy is still one consistent
 * snapshot. The file is written under a scratch name and renamed only once complete and flushed: a file
 * with a backup's name is always a whole backup. A second backup in the same second replaces the first.
 */
export async function backupDatabase(db: Db, folder: string, now: number): Promise<BackupFile> {
  mkdirSync(folder, { recursive: true });
  removeAbandonedPartials(folder);
  const path = join(folder, backupFileName(now));
  const partial = scratchPath(path, 'partial');
  try {
    await db.backup(partial);
    detachFromWal(partial);
    replaceDurably(partial, path);
  } finally {
    rmSync(partial, { force: true });
    removeSideFiles(partial);
  }
  return { path, bytes: statSync(path).size };
}

/**
 * A scratch copy left this long untouched was abandoned by a backup that was killed mid-copy; one in progress writes
 * its pages every few milliseconds, so a backup taken meanwhile by another process is never mistaken for one.
 */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;

/** Deletes the scratch copies (and their journals) that killed backups left in `folder`; returns the paths deleted. */
export function removeAbandonedPartials(folder: string): string[] {
  const cutoff = Date.now() - ABANDONED_AFTER_MS;
  const abandoned = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && isPartialBackupName(entry.name))
    .map((entry) => join(folder, entry.name))
    .filter((path) => statSync(path).mtimeMs < cutoff);
  for (const path of abandoned) rmSync(path, { force: true });
  return abandoned;
}

/** The backups in `folder`, newest first; files not named like a backup are not listed. */
export function listBackups(folder: string): StoredBackup[] {
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .flatMap((name) => {
      const takenAt = backupTakenAt(name);
      return takenAt === undefined ? [] : [{ path: join(folder, name), takenAt }];
    })
    .sort((a, b) => b.takenAt - a.takenAt);
}

/**
 * Deletes all but the newest `keep` backups in `folder` and returns the paths deleted; other files are left alone.
 * `taken`, the backup just made, is always one of those kept: a backup named for a later moment (left by a clock that
 * ran fast, or copied from another host) would otherwise rank above it, and every new backup be deleted as it is made.
 */
export function pruneBackups(folder: string, keep: number, taken?: string): string[] {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new RangeError(`Keep at least one backup: ${keep} would delete the one just taken.`);
  }
  const backups = listBackups(folder);
  const isTaken = (backup: { path: string }) => taken !== undefined && resolve(backup.path) === resolve(taken);
  const expired = backups.filter((backup) => !isTaken(backup)).slice(backups.some(isTaken) ? keep - 1 : keep);
  for (const backup of expired) rmSync(backup.path);
  return expired.map((backup) => backup.path);
}

function refusal(backupPath: string, reason: string, cause?: unknown): RestoreRefusedError {
  return new RestoreRefusedError(`Refusing to restore ${backupPath}: ${reason}`, { cause });
}

/**
 * Why the copy is no Crux database, or undefined if it is one. SQLite opens an empty file, or any other database, as
 * a database, and the migrations would then make an empty Crux of it: restored, that would replace every market and
 * balance with none. So a backup must carry Crux's schema already, at some version.
 */
function notCrux(copyPath: string): string | undefined {
  const db = new Database(copyPath, { readonly: true, fileMustExist: true });
  try {
    if (Number(db.pragma('user_version', { simple: true })) === 0) return 'it is not a Crux database (it has no Crux schema).';
    const ledger = db.prepare<[], { found: number }>("SELECT 1 AS found FROM sqlite_schema WHERE type = 'table' AND name = 'ledger'").get();
    return ledger === undefined ? 'it is not a Crux database (it has no ledger).' : undefined;
  } finally {
    db.close();
  }
}

/**
 * Opens the private copy of a backup as the bot would, which brings a backup from an older Crux up to this
 * schema and refuses one from a newer Crux, then checks its pages and its books.
 */
function checkCopy(backupPath: string, copyPath: string): VerifyReport {
  let report: VerifyReport;
  let foreign: string | undefined;
  try {
    foreign = notCrux(copyPath);
  } catch (error) {
    throw refusal(backupPath, errorMessage(error), error);
  }
  if (foreign !== undefined) throw refusal(backupPath, foreign);
  try {
    const db = openDatabase(copyPath);
    try {
      const damage = quickCheck(db);
      if (damage.length > 0) throw new Error(`SQLite finds the file damaged: ${damage.join('; ')}`);
      report = verify(db);
    } finally {
      db.close();
    }
  } catch (error) {
    throw refusal(backupPath, errorMessage(error), error);
  }
  if (!report.ok) {
    throw refusal(backupPath, `its ledger does not verify:\n${report.problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
  return report;
}

/**
 * Replaces the database at `targetPath` with the backup at `backupPath` and returns the verification that
 * allowed it. The backup is copied beside the target and only that copy is opened, migrated if it is older
 * and verified, so what was verified is exactly what goes live and the backup itself is never written to.
 * Stop the bot first: a running bot keeps the old database open and would go on writing to it.
 */
export function restoreDatabase(backupPath: string, targetPath: string): VerifyReport {
  if (!existsSync(backupPath)) throw refusal(backupPath, 'there is no such file.');
  if (sameFile(backupPath, targetPath)) throw refusal(backupPath, 'it is the database it would replace.');
  mkdirSync(dirname(targetPath), { recursive: true });
  const incoming = scratchPath(targetPath, 'restoring');
  try {
    copyFileSync(backupPath, incoming);
    const report = checkCopy(backupPath, incoming);
    removeSideFiles(targetPath);
    replaceDurably(incoming, targetPath);
    return report;
  } finally {
    rmSync(incoming, { force: true });
    removeSideFiles(incoming);
  }
}
