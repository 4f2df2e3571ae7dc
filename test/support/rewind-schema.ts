import Database from 'better-sqlite3';
import { migrations } from '../../db/migrate.ts';

/** The schema as `sqlite_master` describes it, to compare two databases' schemas. */
export function schemaOf(db: Database.Database): unknown[] {
  return db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all();
}

/** An empty database at schema `version`. */
export function freshAt(version: number): Database.Database {
  const db = new Database(':memory:');
  for (const migration of migrations().filter((m) => m.version <= version)) db.exec(migration.sql);
  return db;
}

function names(db: Database.Database, type: 'table' | 'index'): Set<string> {
  const rows = db.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'`).all(type) as { name: string }[];
  return new Set(rows.map((row) => row.name));
}

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((row) => row.name);
}

/**
 * Takes a database written by today's code back to what schema `version` wrote: the tables, indexes and columns
 * later migrations added go (with what they held), and the version with them. Later migrations only add, so what is
 * left is what the older code would have written; callers check it against a fresh database at `version`.
 */
export function rewindSchema(db: Database.Database, version: number): void {
  const fresh = freshAt(version);
  try {
    db.pragma('foreign_keys = OFF');
    const tablesThen = names(fresh, 'table');
    for (const table of names(db, 'table')) if (!tablesThen.has(table)) db.exec(`DROP TABLE ${table}`);
    const indexesThen = names(fresh, 'index');
    for (const index of names(db, 'index')) if (!indexesThen.has(index)) db.exec(`DROP INDEX ${index}`);
    for (const table of tablesThen) {
      const then = new Set(columns(fresh, table));
      for (const column of columns(db, table)) if (!then.has(column)) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
    db.pragma(`user_version = ${version}`);
  } finally {
    fresh.close();
  }
}
