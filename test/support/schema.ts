import type Database from 'better-sqlite3';
import { latestVersion, migrations } from '../../db/migrate.ts';

/**
 * What each migration did besides creating tables, undone. A migration test writes its rows with today's code, on
 * today's schema, and rewinds the schema to the version it starts from: so every migration that changes an existing
 * table must be listed here, or the rewound schema is not what that version wrote (and `rewindSchema` says so).
 */
const UNDO: Record<number, string> = {
  11: `DROP INDEX accounts_by_user; DROP INDEX markets_listing; CREATE INDEX markets_by_realm ON markets (realm, status);
       ALTER TABLE markets DROP COLUMN volume; ALTER TABLE markets DROP COLUMN traders;
       ALTER TABLE accounts DROP COLUMN off_market_net;`,
};

function objects(db: Database.Database, type: string): Set<string> {
  const rows = db.prepare<[string], { name: string }>(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'`).all(type);
  return new Set(rows.map((row) => row.name));
}

/** The schema (type, name, SQL of every object), for comparing two databases. */
export function schemaOf(db: Database.Database): unknown[] {
  return db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all();
}

/** A fresh in-memory database with the migrations up to `version` applied. */
export function schemaAt(DatabaseClass: typeof Database, version: number): Database.Database {
  const db = new DatabaseClass(':memory:');
  for (const migration of migrations().filter((m) => m.version <= version)) db.exec(migration.sql);
  return db;
}

/**
 * Turns a database at the latest schema, with its rows, into one as schema `version` left it: the later migrations'
 * changes to existing tables undone and their new tables dropped. Throws if the result differs from a database
 * migrated only up to `version`, so a migration missing from `UNDO` fails the tests that use this.
 */
export function rewindSchema(db: Database.Database, DatabaseClass: typeof Database, version: number): void {
  db.pragma('foreign_keys = OFF');
  for (let v = latestVersion(); v > version; v--) {
    const undo = UNDO[v];
    if (undo !== undefined) db.exec(undo);
  }
  const then = schemaAt(DatabaseClass, version);
  try {
    const wanted = objects(then, 'table');
    for (const table of objects(db, 'table')) if (!wanted.has(table)) db.exec(`DROP TABLE ${table}`);
    db.pragma(`user_version = ${version}`);
    db.pragma('foreign_keys = ON');
    if (JSON.stringify(schemaOf(db)) !== JSON.stringify(schemaOf(then))) {
      throw new Error(`rewinding to schema ${version} left a different schema: add the later migrations' changes to UNDO in test/support/schema.ts`);
    }
  } finally {
    then.close();
  }
}
