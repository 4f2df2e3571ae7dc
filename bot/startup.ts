import { realmOfGuild } from '../markets/realms/realm.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { SchemaError } from '../db/migrate.ts';
import { type Db, openDatabase } from '../db/open.ts';
import { verify } from '../db/verify.ts';
import { parseClaimPack } from '../markets/claims.ts';
import type { App } from './commands/command.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';

/** Reads `.env` (if any) and the environment; a bad value ends the process with one line naming it. */
export function configFromEnvironment(): Config {
  loadDotenv({ quiet: true });
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error — ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Opens the database at `path` read-write, creating its folder if need be, as durable as configured. */
export function openDatabaseFile(path: string, config: Config): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return openDatabase(path, { durability: config.CRUX_DURABILITY });
}

const READ_ONLY_WAY_ROUND = 'To serve it read-only meanwhile (everything can be read, nothing changed): npm start -- --read-only';

function refuseToStart(reason: string): never {
  process.stderr.write(`Crux will not start — ${reason}\n`);
  process.exit(1);
}

/** The first problems `verify` finds, or the error that kept it from running (a schema this code cannot read). */
function ledgerProblems(db: Db): string[] {
  try {
    return verify(db).problems.slice(0, 3);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/**
 * Opens the database to serve. Read-write, it refuses one written by a newer Crux or whose ledger does not
 * verify, ending the process with the reason and the way round: `--read-only`, which serves such a database
 * as far as this code can read it and refuses every change (see `read_only` in db/sqlite-store.ts).
 */
export function openServedDatabase(config: Config, readOnly: boolean, say: (text: string) => void): Db {
  let db: Db;
  try {
    db = readOnly
      ? openDatabase(config.CRUX_DATABASE, { readonly: true, allowNewerSchema: true })
      : openDatabaseFile(config.CRUX_DATABASE, config);
  } catch (error) {
    if (error instanceof SchemaError) refuseToStart(`${error.message}\n${READ_ONLY_WAY_ROUND}`);
    if (readOnly) refuseToStart(`cannot open ${config.CRUX_DATABASE} read-only: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  const problems = ledgerProblems(db);
  if (problems.length === 0) return db;
  if (!readOnly) {
    db.close();
    refuseToStart(`the ledger in ${config.CRUX_DATABASE} does not verify:\n  ${problems.join('\n  ')}\nRestore a backup (npm run backup -- --restore FILE) or investigate. ${READ_ONLY_WAY_ROUND}`);
  }
  say(`Warning: the ledger does not verify (${problems[0]}); serving read-only.`);
  return db;
}

/** Opens the markets of a claim pack that are not open yet, as the system moderator. */
export function loadClaims(app: App, path: string, guildId: string | null, now: number): string {
  const pack = parseClaimPack(readFileSync(path, 'utf8'));
  const result = app.service.openClaims(
    pack,
    { guildId, channelId: null },
    { realm: realmOfGuild(guildId), actor: { userId: 'crux', displayName: 'Crux', isModerator: true }, now },
  );
  if (!result.ok) return `Could not load ${path}: ${result.error.message}`;
  const { opened, skipped } = result.value;
  return `Claim pack ${path}: opened ${opened.length} market(s)${opened.length > 0 ? ` (${opened.join(', ')})` : ''}; ${skipped.length} already present or past their close.`;
}
