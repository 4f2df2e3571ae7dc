import Database from 'better-sqlite3';
import { GroupCommit } from './group-commit.ts';
import { migrate } from './migrate.ts';
import { holdsScores, markScoresCurrent, ScoreStore, scoresAreStale } from './score-store.ts';
import { ScoringStore } from './scoring-store.ts';
import { SqliteStore } from './sqlite-store.ts';

export type Db = Database.Database;

/**
 * SQLite's `synchronous` setting, which decides what survives a power cut (a process crash loses nothing
 * committed under any of them, thanks to WAL): FULL syncs the WAL on every commit, so an acknowledged trade
 * survives power loss; NORMAL syncs only at checkpoints, so the last commits before a power cut may be lost.
 */
export type Durability = 'FULL' | 'NORMAL';

export interface OpenOptions {
  durability?: Durability;
  readonly?: boolean;
  /** Read-only only: serve a schema newer than this code as far as it can read it, instead of refusing it. */
  allowNewerSchema?: boolean;
  /**
   * With durability FULL, for a process that serves many members at once: commits do not sync on their own, and the
   * store's `durable()` syncs them together off the event loop before anything is acknowledged (db/group-commit.ts).
   */
  groupCommit?: boolean;
}

/**
 * Opens (creating if needed) the database, sets its pragmas and brings its schema (and, to write, its stored scores)
 * up to date. `source` is a file's path, `:memory:`, or a serialized database (`db.serialize()`) to open a copy of in
 * memory.
 */
export function openDatabase(source: string | Buffer, options: OpenOptions = {}): Db {
  const db = new Database(source, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) db.pragma('journal_mode = WAL');
  const durability = options.durability ?? 'FULL';
  const groupCommit = durability === 'FULL' && options.groupCommit === true && !options.readonly && !db.memory;
  db.pragma(`synchronous = ${groupCommit ? 'NORMAL' : durability}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, { readonly: options.readonly ?? false, allowNewerSchema: options.allowNewerSchema ?? false });
  if (!options.readonly) rebuildScoresIfStale(db);
  if (groupCommit) GroupCommit.attach(db);
  return db;
}

/** Scores of other rules are rebuilt; with nothing to score they are only marked current, which costs nothing. */
function rebuildScoresIfStale(db: Db): void {
  if (!scoresAreStale(db)) return;
  if (holdsScores(db)) new ScoreStore(db, new ScoringStore(new SqliteStore(db))).rebuild();
  else markScoresCurrent(db);
}
