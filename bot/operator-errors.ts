/*
 * How the command-line tools (npm run export, npm run backup) end on a failure: what the operator can fix is one
 * line and exit code 1; anything else is a bug, and keeps its stack trace.
 */
import Database from 'better-sqlite3';
import { RestoreRefusedError } from '../db/backup.ts';
import { SchemaError } from '../db/migrate.ts';

/** Something the operator can fix, reported as one line instead of a stack trace. */
export class UsageError extends Error {}

/** Errors that describe the operator's situation (a bad value, a missing or refused file), not a bug. */
export function isOperatorError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof SchemaError ||
    error instanceof RestoreRefusedError ||
    error instanceof Database.SqliteError ||
    (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string')
  );
}

/** Runs a tool's `main`; an operator error ends it with `crux <tool>: <message>` on stderr and exit code 1. */
export function runTool(tool: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (!isOperatorError(error)) throw error;
    process.stderr.write(`crux ${tool}: ${error.message}\n`);
    process.exitCode = 1;
  });
}
