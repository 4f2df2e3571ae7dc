import { realmOfGuild } from '../markets/realms/realm.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DiscordAPIError, DiscordjsError, DiscordjsErrorCodes } from 'discord.js';
import { SchemaError } from '../db/migrate.ts';
import { type Db, openDatabase } from '../db/open.ts';
import { saveCheckpoint } from '../db/checkpoint.ts';
import { quickCheckOutsideHistory } from '../db/health.ts';
import { verifySinceCheckpoint } from '../db/verify.ts';
import { parseClaimPack } from '../markets/claims.ts';
import type { App } from './commands/command.ts';
import type { Config } from './config.ts';
import { damagedFile, fileProblem, openProblem, READ_ONLY_WAY_ROUND } from './database-problems.ts';
import { errorMessage, isCruxError } from '../markets/errors.ts';

/**
 * Opens the database at `path` read-write, creating its folder if need be, as durable as configured, for a process
 * that serves members: with durability FULL its commits share their disk syncs (db/group-commit.ts).
 */
export function openDatabaseFile(path: string, config: Config): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return openDatabase(path, { durability: config.CRUX_DURABILITY, groupCommit: true });
}

/** Ends start-up with one line on stderr: what is wrong and what to do. */
export function refuseToStart(reason: string): never {
  process.stderr.write(`Crux will not start — ${reason}\n`);
  process.exit(1);
}

/**
 * The first problems found in the ledger rows since the last verified checkpoint (the whole ledger the first time),
 * or the error that kept the check from running (a schema this code cannot read). A ledger that verifies moves the
 * checkpoint on, unless the database is served read-only.
 */
function ledgerProblems(db: Db, say: (text: string) => void): string[] {
  let report;
  try {
    report = verifySinceCheckpoint(db);
  } catch (error) {
    return [errorMessage(error)];
  }
  if (report.ok && !db.readonly) {
    try {
      saveCheckpoint(db, report.summary, Date.now());
    } catch (error) {
      // The ledger verified; only the shortcut for the next start is missing (another process held the write lock).
      say(`Note: the ledger verifies but its checkpoint could not be moved on (${errorMessage(error)}).`);
    }
  }
  return report.problems.slice(0, 3);
}

/**
 * quick_check's complaints about every table but the history (see db/health.ts); a file too damaged to be checked at
 * all says so by throwing, which is one more.
 */
function damage(db: Db): string[] {
  try {
    return quickCheckOutsideHistory(db);
  } catch (error) {
    return [errorMessage(error)];
  }
}

function openToServe(config: Config, readOnly: boolean): Db {
  const path = config.CRUX_DATABASE;
  const problem = path === ':memory:' ? undefined : fileProblem(path, readOnly);
  if (problem !== undefined) refuseToStart(problem);
  try {
    return readOnly ? openDatabase(path, { readonly: true, allowNewerSchema: true }) : openDatabaseFile(path, config);
  } catch (error) {
    if (error instanceof SchemaError) refuseToStart(`${error.message}\n${READ_ONLY_WAY_ROUND}`);
    const reason = openProblem(path, error) ?? (readOnly ? errorMessage(error) : undefined);
    if (reason === undefined) throw error;
    refuseToStart(readOnly ? `cannot open ${path} read-only: ${reason}` : reason);
  }
}

/**
 * Opens the database to serve. Read-write, it refuses a file that is missing, damaged (SQLite's quick_check) or
 * not writable, one written by a newer Crux, or one whose ledger does not verify, ending the process with the reason
 * and the way round: `--read-only`, which serves such a database as far as this code can read it and refuses every
 * change (see `read_only` in db/sqlite-store.ts).
 */
export function openServedDatabase(config: Config, readOnly: boolean, say: (text: string) => void): Db {
  const path = config.CRUX_DATABASE;
  const db = openToServe(config, readOnly);
  const findings = damage(db);
  if (findings.length > 0) {
    if (!readOnly) {
      db.close();
      refuseToStart(`${damagedFile(path, findings)}. ${READ_ONLY_WAY_ROUND}`);
    }
    say(`Warning: ${path} is damaged (${findings[0]}); serving read-only, and some views may fail.`);
  }
  const problems = ledgerProblems(db, say);
  if (problems.length === 0) return db;
  if (!readOnly) {
    db.close();
    refuseToStart(`the ledger in ${path} does not verify:\n  ${problems.join('\n  ')}\nRestore a backup (npm run backup -- --restore FILE) or investigate. ${READ_ONLY_WAY_ROUND}`);
  }
  say(`Warning: the ledger does not verify (${problems[0]}); serving read-only.`);
  return db;
}

/**
 * Why logging in to Discord failed, in one line: a token Discord refused (at login, or on a REST call before it, as
 * the sharding manager's), or an API it could not reach.
 */
export function loginProblem(error: unknown, apiBase: string): string {
  const refused = (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) || (error instanceof DiscordAPIError && error.status === 401);
  if (refused) {
    return 'Discord refused DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the developer portal (Bot → Reset Token) into .env.';
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
  return `could not log in to Discord at ${apiBase} (${code}): check the network and DISCORD_API_BASE (unset, it is https://discord.com/api).`;
}

/** Opens the markets of a claim pack that are not open yet, as the system moderator. */
export function loadClaims(app: App, path: string, guildId: string | null, now: number): string {
  let pack;
  try {
    pack = parseClaimPack(readFileSync(path, 'utf8'));
  } catch (error) {
    // One line, as when opening its claims is refused: the bot serves on without the pack.
    if (!isCruxError(error)) throw error;
    return `Could not load ${path}: ${error.message}`;
  }
  const result = app.service.openClaims(
    pack,
    { guildId, channelId: null },
    { realm: realmOfGuild(guildId), actor: { userId: 'crux', displayName: 'Crux', isModerator: true }, now },
  );
  if (!result.ok) return `Could not load ${path}: ${result.error.message}`;
  const { opened, skipped } = result.value;
  return `Claim pack ${path}: opened ${opened.length} market(s)${opened.length > 0 ? ` (${opened.join(', ')})` : ''}; ${skipped.length} already present or past their close.`;
}
