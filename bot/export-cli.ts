/**
 * `npm run export -- calibration|forecasts|ledger|markets [--format csv|json] [--guild ID] [--out FILE]` writes one
 * export of the database named by CRUX_DATABASE to FILE, or to standard output.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SchemaError } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { ScoreStore } from '../db/score-store.ts';
import { ScoringStore } from '../db/scoring-store.ts';
import { SqliteStore } from '../db/sqlite-store.ts';
import { ForecastService } from '../markets/forecasts.ts';
import { EXPORT_KINDS, exportChunks } from './export/exports.ts';
import { EXPORT_FORMATS } from './export/format.ts';
import { configFromEnvironment } from './environment.ts';
import { errorMessage } from '../markets/errors.ts';

const USAGE = `usage: npm run export -- ${EXPORT_KINDS.join('|')} [--format ${EXPORT_FORMATS.join('|')}] [--guild ID] [--out FILE]`;

const exportArguments = z.object({
  kind: z.enum(EXPORT_KINDS, { error: `the first argument names the export: one of ${EXPORT_KINDS.join(', ')}` }),
  format: z.enum(EXPORT_FORMATS, { error: `--format is one of ${EXPORT_FORMATS.join(', ')}` }).default('csv'),
  guild: z.string().regex(/^(\d{1,25}|console)$/, '--guild is a Discord server id (digits), or console').optional(),
  out: z.string().min(1, '--out names a file').optional(),
});

/** Something the operator can fix, reported as one line instead of a stack trace. */
class UsageError extends Error {}

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

async function writeAll(chunks: Iterable<string>, output: Writable): Promise<void> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= WRITE_BATCH_CHARS) {
      // Waiting for 'drain' is what keeps a slow disk or pipe from filling memory with the whole export.
      if (!output.write(batch)) await once(output, 'drain');
      batch = '';
    }
  }
  if (batch !== '') output.write(batch);
}

async function main(): Promise<void> {
  const args = readArguments(process.argv.slice(2));
  const config = configFromEnvironment();
  if (config.CRUX_DATABASE !== ':memory:' && !existsSync(config.CRUX_DATABASE)) {
    throw new UsageError(`There is no database at ${config.CRUX_DATABASE}; set CRUX_DATABASE to the bot's database file.`);
  }
  // Read-only, so an export can never change (or migrate) the database the bot is running on.
  const db = openDatabase(config.CRUX_DATABASE, { readonly: true });
  try {
    const scoring = new ScoringStore(new SqliteStore(db));
    const chunks = exportChunks(
      args.kind,
      { scoring, forecasts: new ForecastService(scoring, new ScoreStore(db, scoring)) },
      { format: args.format, guildId: args.guild ?? null, generatedAt: Date.now() },
    );
    const output = args.out === undefined ? process.stdout : createWriteStream(args.out);
    // One read transaction around the whole export: its streams (markets, forecasts, ledger entries) then describe
    // one moment, however long writing them takes and whatever the bot commits meanwhile.
    db.exec('BEGIN');
    await writeAll(chunks, output);
    db.exec('COMMIT');
    if (output !== process.stdout) {
      output.end();
      await once(output, 'finish');
      process.stderr.write(`Wrote the ${args.kind} export (${args.format}) to ${args.out}\n`);
    }
  } finally {
    db.close();
  }
}

main().catch((error: unknown) => {
  if (!(error instanceof UsageError || error instanceof SchemaError)) throw error;
  process.stderr.write(`crux export: ${error.message}\n`);
  process.exitCode = 1;
});
