import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

/** The numbered .sql files beside this module, in order: 001_initial.sql is version 1. */
export function migrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => ({
      version: Number.parseInt(file, 10),
      name: file,
      sql: readFileSync(`${MIGRATIONS_DIR}${file}`, 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

export function latestVersion(): number {
  return migrations().at(-1)?.version ?? 0;
}

/**
 * Applies every migration newer than the database's `user_version`, each in its own transaction.
 * A database written by newer code is refused rather than guessed at.
 */
export function migrate(db: Database.Database, options: { readonly: boolean; allowNewerSchema?: boolean }): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  const latest = latestVersion();
  if (current > latest) {
    // Reading cannot damage a newer schema; whatever this code cannot read fails on its own, per query.
    if (options.readonly && options.allowNewerSchema) return;
    throw new SchemaError(
      `The database is at schema version ${current} but this Crux knows only up to ${latest}: it was written by a newer Crux. Upgrade Crux, or open it read-only with an older copy of the data.`,
    );
  }
  if (current === latest) return;
  if (options.readonly) {
    throw new SchemaError(`The database is at schema version ${current} and needs migrating to ${latest}; it cannot be migrated read-only.`);
  }
  for (const migration of migrations().filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
