import Database from 'better-sqlite3';
import { migrations } from '../../db/migrate.ts';

/**
 * The schema as `sqlite_master` describes it, to compare two databases' schemas; a table's name as SQLite writes it
 * back after a rename (quoted) counts as the same name.
 */
export function schemaOf(db: Database.Database): unknown[] {
  return db
    .prepare<[], { type: string; name: string; sql: string | null }>(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
    .all()
    .map((row) => ({ ...row, sql: row.sql?.replace(/^CREATE TABLE "(\w+)"/, 'CREATE TABLE $1') ?? null }));
}

/** An empty database at schema `version`. */
export function freshAt(version: number): Database.Database {
  const db = new Database(':memory:');
  for (const migration of migrations().filter((m) => m.version <= version)) db.exec(migration.sql);
  return db;
}

/** The schema version just before the migration whose file name ends with `suffix`, whatever lands in between. */
export function versionBefore(suffix: string): number {
  const next = migrations().find((migration) => migration.name.endsWith(suffix));
  if (next === undefined) throw new Error(`no migration's file name ends with ${suffix}`);
  return Math.max(...migrations().filter((migration) => migration.version < next.version).map((migration) => migration.version));
}

/** A database as schema `version` left it, for a migration test to fill and migrate: foreign keys on, the version recorded. */
export function databaseAt(version: number): Database.Database {
  const db = freshAt(version);
  db.pragma('foreign_keys = ON');
  db.pragma(`user_version = ${version}`);
  return db;
}

/** An open binary market `rome` of server `g1`, written as the schemas since realms (migration 005) store one. */
export function insertRome(db: Database.Database, createdAt: number, closesAt: number): void {
  db.prepare(
    `INSERT INTO markets (id, realm, slug, guild_id, question, criteria, outcomes, liquidity, opening_shares, outstanding, subsidy, status, created_by, created_at, closes_at)
     VALUES ('rome', 'g1', 'rome', 'g1', 'Will ROME replicate?', 'A second team.', '["Yes","No"]', 100, '[0,0]', '[0,0]', 0, 'open', 'alice', ?, ?)`,
  ).run(createdAt, closesAt);
}

function names(db: Database.Database, type: 'table' | 'index'): Set<string> {
  const rows = db.prepare<[string], { name: string }>(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'`).all(type);
  return new Set(rows.map((row) => row.name));
}

function columns(db: Database.Database, table: string): string[] {
  return db.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all(table).map((row) => row.name);
}

/** What migration 019 moved from a market's row to its account's book. */
const BOOK_COLUMNS = new Set(['outstanding', 'volume', 'traders']);

/** Puts markets' books back on their rows, as the schemas before migration 019 kept them, with the columns in their places. */
function moveBooksBackToMarkets(db: Database.Database, fresh: Database.Database): void {
  const created = fresh.prepare<[], { sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'markets'`).get();
  if (created === undefined || !columns(db, 'accounts').includes('outstanding')) return;
  const then = columns(fresh, 'markets');
  db.exec(created.sql.replace(/^CREATE TABLE markets/, 'CREATE TABLE markets_rewound'));
  db.exec(
    `INSERT INTO markets_rewound (${then.join(', ')})
     SELECT ${then.map((column) => (BOOK_COLUMNS.has(column) ? `a.${column}` : `m.${column}`)).join(', ')}
     FROM markets m JOIN accounts a ON a.id = 'market:' || m.id`,
  );
  db.exec('DROP TABLE markets');
  db.exec('ALTER TABLE markets_rewound RENAME TO markets');
}

/** Migrations that moved data, which dropping what they added cannot undo: each has what puts it back. */
const MOVES_UNDONE: ReadonlyMap<number, (db: Database.Database, fresh: Database.Database) => void> = new Map([[19, moveBooksBackToMarkets]]);

/**
 * Takes a database written by today's code back to what schema `version` wrote, so a migration test can write its
 * rows with today's code and migrate them: the tables, indexes and columns later migrations added go (with what they
 * held), what they moved goes back, indexes they dropped come back, and the version with them. Throws if the result is not exactly the schema
 * of a database migrated only to `version` (a later migration changed something this does not undo).
 */
export function rewindSchema(db: Database.Database, version: number): void {
  const fresh = freshAt(version);
  try {
    db.pragma('foreign_keys = OFF');
    for (const [movedIn, undo] of [...MOVES_UNDONE].sort(([a], [b]) => b - a)) if (movedIn > version) undo(db, fresh);
    const tablesThen = names(fresh, 'table');
    for (const table of names(db, 'table')) if (!tablesThen.has(table)) db.exec(`DROP TABLE ${table}`);
    const indexesThen = names(fresh, 'index');
    const indexesNow = names(db, 'index');
    for (const index of indexesNow) if (!indexesThen.has(index)) db.exec(`DROP INDEX ${index}`);
    for (const table of tablesThen) {
      const then = new Set(columns(fresh, table));
      for (const column of columns(db, table)) if (!then.has(column)) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
    const dropped = fresh.prepare<[], { name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).all();
    for (const { name, sql } of dropped) if (!indexesNow.has(name)) db.exec(sql);
    db.pragma(`user_version = ${version}`);
    db.pragma('foreign_keys = ON');
    if (JSON.stringify(schemaOf(db)) !== JSON.stringify(schemaOf(fresh))) {
      throw new Error(`rewinding to schema ${version} left a schema that version never wrote: a later migration changed more than this undoes`);
    }
  } finally {
    fresh.close();
  }
}
