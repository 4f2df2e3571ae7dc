import type { Db } from './open.ts';

/**
 * The tables that grow with the ledger's age: every trade, every position ever held (settled markets keep theirs),
 * every stated forecast, every member's score on every settled market, the requests and the outbox. Start-up leaves
 * their structure to the full check (`npm run verify`, CRUX_VERIFY_CRON), so that it costs the same on a young
 * server and an old one; the ledger rows written since the last checkpoint are read at start all the same, and a
 * damaged page among them stops the start like any other problem.
 */
const HISTORY_TABLES: ReadonlySet<string> = new Set(['ledger', 'positions', 'forecasts', 'member_market_scores', 'requests', 'interaction_requests', 'outbox']);

/** Its findings can span lines ("*** in database main ***\nPage 5: …"); each is kept to one, for one-line reports. */
function findings(db: Db, argument: string, limit: number): string[] {
  const rows = db.pragma(`quick_check(${argument})`, { simple: false }) as { quick_check: string }[];
  const lines = rows.map((row) => row.quick_check.replace(/\s*\n\s*/g, ' '));
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines.slice(0, limit);
}

/**
 * SQLite's quick_check over the whole file: every page, b-tree and record is well-formed (it skips comparing indexes
 * with their tables, which would cost as much as rebuilding them). Returns its first complaints, or an empty list for
 * a sound file. It reads every page: seconds on a file of a million trades.
 */
export function quickCheck(db: Db, limit = 3): string[] {
  return findings(db, String(limit), limit);
}

/**
 * quick_check of every table (and its indexes) but the history tables: what start-up runs. Its cost is the size of
 * the markets, accounts, positions and settings, not of the history.
 */
export function quickCheckOutsideHistory(db: Db, limit = 3): string[] {
  const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all();
  const found: string[] = [];
  for (const { name } of tables) {
    if (HISTORY_TABLES.has(name)) continue;
    found.push(...findings(db, `'${name.replaceAll("'", "''")}'`, limit - found.length));
    if (found.length >= limit) break;
  }
  return found;
}
