import { backupDatabase, type BackupFile, pruneBackups } from '../db/backup.ts';
import type { Db } from '../db/open.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { errorMessage } from '../markets/errors.ts';

/**
 * The scheduled backup: an online copy into CRUX_BACKUP_DIR, then only the newest CRUX_BACKUP_KEEP are kept.
 * A failure is logged and the bot goes on; the next run tries again.
 */
export async function takeScheduledBackup(
  db: Db,
  config: Pick<Config, 'CRUX_BACKUP_DIR' | 'CRUX_BACKUP_KEEP'>,
  now: number,
  log: Logger,
): Promise<BackupFile | undefined> {
  try {
    const backup = await backupDatabase(db, config.CRUX_BACKUP_DIR, now);
    const pruned = pruneBackups(config.CRUX_BACKUP_DIR, config.CRUX_BACKUP_KEEP, backup.path);
    log('backed up the database', { path: backup.path, bytes: backup.bytes, pruned: pruned.length });
    return backup;
  } catch (error) {
    log('the scheduled backup failed', { folder: config.CRUX_BACKUP_DIR, error: errorMessage(error) });
    return undefined;
  }
}
