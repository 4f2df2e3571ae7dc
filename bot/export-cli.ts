/**
 * `npm run export -- calibration|forecasts|ledger|markets [--format csv|json] [--guild ID] [--out FILE]` writes one
 * export of the database named by CRUX_DATABASE to FILE, or to standard output.
 */
import { closeSync, existsSync, fchmodSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { replaceDurably, sameFile } from '../db/backup-files.ts';
import { type Db, openDatabase } from '../db/open.ts';
import { ScoreStore } from '../db/score-store.ts';
import { ScoringStore } from '../db/scoring-store.ts';
import { SqliteStore } from '../db/sqlite-store.ts';
import { ForecastService } from '../markets/forecasts.ts';
import { EXPORT_KINDS, exportChunks } from './export/exports.ts';
import { EXPORT_FORMATS } from './export/format.ts';
import { configFromEnvironment } from './environment.ts';
import { errorMessage } from '../markets/errors.ts';
import { openProblem } from './database-problems.ts';
import { runTool, UsageError } from './operator-errors.ts';

const USAGE = `usage: npm run export -- ${EXPORT_KINDS.join('|')} [--format ${EXPORT_FORMATS.join('|')}] [--guild ID] [--out FILE]`;

const exportArguments = z.object({
  kind: z.enum(EXPORT_KINDS, { error: `the first argument names the export: one of ${EXPORT_KINDS.join(', ')}` }),
  format: z.enum(EXPORT_FORMATS, { error: `--format is one of ${EXPORT_FORMATS.join(', ')}` }).default('csv'),
  guild: z.string().regex(/^(\d{1,25}|console)$/, '--guild is a Discord server id (digits), or console').optional(),
  out: z.string().min(1, '--out names a file').optional(),
});

function readArguments(argv: string[]): z.output<typeof exportArguments> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { format: { type: 'string' }, guild: { type: 'string' }, out: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${errorMessage(error)}; ${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new UsageError(USAGE);
  const checked = exportArguments.safeParse({ kind: parsed.positionals[0], ...parsed.values });
  if (!checked.success) throw new UsageError(`${checked.error.issues[0]?.message ?? 'bad arguments'}; ${USAGE}`);
  return checked.data;
}

/** Chunks are gathered into writes of about this size: fewer system calls, and memory stays flat. */
const WRITE_BATCH_CHARS = 1 << 16;

type Write = (batch: string) => void | Promise<void>;

async function writeAll(chunks: Iterable<string>, write: Write): Promise<void> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= WRITE_BATCH_CHARS) {
      await write(batch);
      batch = '';
    }
  }
  if (batch !== '') await write(batch);
}

const toStdout: Write = async (batch) => {
  // Waiting for 'drain' is what keeps a slow pipe from filling memory with the whole export.
  if (!process.stdout.write(batch)) await once(process.stdout, 'drain');
};

const SQLITE_HEADER = Buffer.from('SQLite format 3\0');

/** Whether `path` is a SQLite database, by its first bytes: a database is never what an export replaces. */
function isDatabaseFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const start = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, start, 0, start.length, 0) === start.length && start.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Refuses an --out the export could not be written to, or must not replace, before the database is read. */
function checkOutput(path: string, database: string): void {
  if (!existsSync(dirname(path))) throw new UsageError(`There is no folder ${dirname(path)} to write ${path} in; create it, or name another --out.`);
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw new UsageError(`--out ${path} is a folder; name a file, such as ${path.replace(/\/+$/, '')}/export.csv.`);
  if (['', '-wal', '-shm'].some((suffix) => sameFile(path, `${database}${suffix}`))) {
    throw new UsageError(`--out ${path} is Crux's database (CRUX_DATABASE) or one of its files; name another file.`);
  }
  if (isDatabaseFile(path)) throw new UsageError(`--out ${path} is a SQLite database, which an export never replaces; name another file.`);
}

/**
 * Fills a file of its own beside `path` and moves it onto `path` once whole and on disk: a failed export leaves no
 * half-written file (an earlier export at `path` stays as it was), two at once never write into one file, and a file
 * replaced keeps its permissions, which an operator may have narrowed for a ledger of members.
 */
async function writeFile(path: string, fill: (write: Write) => Promise<void>): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  const earlier = statSync(path, { throwIfNoEntry: false });
  const fd = openSync(partial, 'wx');
  try {
    try {
      if (earlier !== undefined) fchmodSync(fd, earlier.mode & 0o777);
      await fill((batch) => writeFileSync(fd, batch));
    } finally {
      closeSync(fd);
    }
    replaceDurably(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

function openExported(path: string): Db {
  if (path !== ':memory:' && !existsSync(path)) {
    throw new UsageError(`There is no database at ${path}; set CRUX_DATABASE to the bot's database file.`);
  }
  try {
    // Read-only, so an export can never change (or migrate) the database the bot is running on.
    return openDatabase(path, { readonly: true });
  } catch (error) {
    const problem = openProblem(path, error);
    if (problem === undefined) throw error;
    throw new UsageError(problem);
  }
}

async function main(): Promise<void> {
  const args = readArguments(process.argv.slice(2));
  const config = configFromEnvironment();
  if (args.out !== undefined) checkOutput(args.out, config.CRUX_DATABASE);
  const db = openExported(config.CRUX_DATABASE);
  try {
    // One read transaction around the whole export: its streams (markets, forecasts, ledger entries) then describe
    // one moment, however long writing them takes and whatever the bot commits meanwhile.
    db.exec('BEGIN');
    const scoring = new ScoringStore(new SqliteStore(db));
    // A server id with no markets is most likely mistyped: a file of headers alone would pass for an empty server.
    if (args.guild !== undefined && !scoring.realms().includes(args.guild)) {
      throw new UsageError(`no markets in server ${args.guild}; nothing exported (check the id, or leave out --guild for every server).`);
    }
    const chunks = exportChunks(
      args.kind,
      { scoring, forecasts: new ForecastService(scoring, new ScoreStore(db, scoring)) },
      { format: args.format, guildId: args.guild ?? null, generatedAt: Date.now() },
    );
    if (args.out === undefined) await writeAll(chunks, toStdout);
    else await writeFile(args.out, (write) => writeAll(chunks, write));
    db.exec('COMMIT');
    if (args.out !== undefined) process.stderr.write(`Wrote the ${args.kind} export (${args.format}) to ${args.out}\n`);
  } finally {
    db.close();
  }
}

runTool('export', main);
