import type { Db } from './open.ts';

/**
 * SQLite's quick_check: every page, b-tree and record is well-formed (it skips comparing indexes with their tables,
 * which would cost as much as rebuilding them). Returns its first complaints, or an empty list for a sound file.
 */
export function quickCheck(db: Db, limit = 3): string[] {
  const rows = db.pragma(`quick_check(${limit})`, { simple: false }) as { quick_check: string }[];
  // Its findings can span lines ("*** in database main ***\nPage 5: …"); each is kept to one, for one-line reports.
  const findings = rows.map((row) => row.quick_check.replace(/\s*\n\s*/g, ' '));
  return findings.length === 1 && findings[0] === 'ok' ? [] : findings;
}
