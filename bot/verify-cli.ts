/**
 * `npm run verify` checks the ledger of the database named by CRUX_DATABASE (read-only, so it is safe while the bot
 * runs): one line, and exit code 0 when the file is sound (SQLite's quick_check of every page) and every balance,
 * position and pool rebuilds from the ledger, 1 when not.
 */
import { SchemaError } from '../db/migrate.ts';
import { quickCheck } from '../db/health.ts';
import { openDatabase } from '../db/open.ts';
import { verify } from '../db/verify.ts';
import { formatCredits } from '../markets/money.ts';
import { damagedFile, fileProblem, openProblem } from './database-problems.ts';
import { configFromEnvironment } from './environment.ts';
import { errorMessage } from '../markets/errors.ts';

function fail(line: string): never {
  process.stderr.write(`crux verify: ${line}\n`);
  process.exit(1);
}

const path = configFromEnvironment().CRUX_DATABASE;
const problem = fileProblem(path, true);
if (problem !== undefined) fail(problem);
let report;
try {
  const db = openDatabase(path, { readonly: true });
  try {
    // Start-up leaves the history tables' pages to this check (db/health.ts).
    const damage = quickCheck(db);
    if (damage.length > 0) fail(damagedFile(path, damage));
    report = verify(db);
  } finally {
    db.close();
  }
} catch (error) {
  if (error instanceof SchemaError) fail(error.message);
  fail(openProblem(path, error) ?? errorMessage(error));
}
if (!report.ok) {
  const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more problem(s))` : '';
  fail(`the ledger of ${path} does not verify: ${report.problems[0]}${more}`);
}
process.stdout.write(`The ledger of ${path} verifies: ${report.entries} entries, ${report.accounts} accounts, ${formatCredits(report.minted)} credits in circulation.\n`);
