/**
 * `npm run backup` takes a backup of the database named by CRUX_DATABASE into CRUX_BACKUP_DIR and deletes all
 * but the newest CRUX_BACKUP_KEEP; `npm run backup -- --restore FILE` puts a backup back in place, and
 * must be run with the bot stopped.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { backupDatabase, pruneBackups, restoreDatabase } from '../db/backup.ts';
import type { Config } from './config.ts';
import { configFromEnvironment } from './environment.ts';
import { errorMessage } from '../markets/errors.ts';
import { runTool, UsageError } from './operator-errors.ts';

function readArguments(): { restore?: string } {
  try {
    return parseArgs({ options: { restore: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    throw new UsageError(`${errorMessage(error)}; usage: npm run backup [-- --restore FILE]`);
  }
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function backUp(environment: Config): Promise<void> {
  if (!existsSync(environment.CRUX_DATABASE)) {
    throw new UsageError(`There is no database at ${environment.CRUX_DATABASE}; set CRUX_DATABASE to the bot's database file.`);
  }
  // Opened as it is, read-only: a backup copies pages whatever the schema, and migrating the live database
  // under a running bot is the bot's business, not this command's.
  const db = new Database(environment.CRUX_DATABASE, { readonly: true, fileMustExist: true });
  let taken: string;
  try {
    const backup = await backupDatabase(db, environment.CRUX_BACKUP_DIR, Date.now());
    taken = backup.path;
    console.log(`Backed up ${environment.CRUX_DATABASE} to ${backup.path} (${formatBytes(backup.bytes)}, ${backup.bytes} bytes)`);
  } finally {
    db.close();
  }
  const pruned = pruneBackups(environment.CRUX_BACKUP_DIR, environment.CRUX_BACKUP_KEEP, taken);
  if (pruned.length > 0) console.log(`Deleted ${pruned.length} older backup(s), keeping the newest ${environment.CRUX_BACKUP_KEEP}`);
}

function restore(backupPath: string, environment: Config): void {
  const report = restoreDatabase(backupPath, environment.CRUX_DATABASE);
  console.log(`Restored ${backupPath} to ${environment.CRUX_DATABASE}: ${report.entries} ledger entries, ${report.accounts} accounts, verified`);
}

async function main(): Promise<void> {
  const environment = configFromEnvironment();
  const { restore: backupPath } = readArguments();
  if (backupPath === undefined) await backUp(environment);
  else restore(backupPath, environment);
}

runTool('backup', main);
