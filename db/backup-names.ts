/**
 * Backups are named for the UTC second they were taken, e.g. `crux-2026-11-24T10-15-00Z.sqlite`: the
 * names sort in time order and say when at a glance. Colons become dashes because Windows forbids them.
 */
const BACKUP_NAME = /^crux-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.sqlite$/;

export function backupFileName(now: number): string {
  const stamp = new Date(now).toISOString().slice(0, 19).replaceAll(':', '-');
  return `crux-${stamp}Z.sqlite`;
}

/** When the backup called `name` was taken, or undefined if `name` is not a backup's name. */
export function backupTakenAt(name: string): number | undefined {
  const match = BACKUP_NAME.exec(name);
  if (!match) return undefined;
  const [, day, hours, minutes, seconds] = match;
  const at = Date.parse(`${day}T${hours}:${minutes}:${seconds}Z`);
  // Date.parse rolls impossible dates (a 30th of February) over; only a name that round-trips is a backup's.
  return Number.isNaN(at) || backupFileName(at) !== name ? undefined : at;
}

/** A backup's scratch copy (`crux-….sqlite.1a2b3c4d.partial`, see backupDatabase) and the files SQLite keeps beside it. */
const PARTIAL_NAME = /^crux-.+Z\.sqlite\.[0-9a-f]{8}\.partial(-journal|-wal|-shm)?$/;

export function isPartialBackupName(name: string): boolean {
  return PARTIAL_NAME.test(name);
}
