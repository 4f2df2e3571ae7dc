import { PassThrough } from 'node:stream';
import type { Db } from '../../db/open.ts';
import { freshMemoryDatabase } from './memory-db.ts';
import { verify } from '../../db/verify.ts';
import { createApp } from '../../bot/app.ts';
import type { App } from '../../bot/commands/command.ts';
import { loadConfig } from '../../bot/config.ts';
import { runConsole } from '../../bot/console.ts';
import type { LinkGuard } from '../../markets/sources/link-guard.ts';
import { T0 } from './engine.ts';

export interface TestApp {
  app: App;
  db: Db;
  logs: string[];
  assertVerified(): void;
}

/** Tests never ask real DNS: a host name no test table answers for is not found. */
export const NO_DNS: LinkGuard = {
  resolve: async (hostname) => {
    throw Object.assign(new Error(`tests do not resolve ${hostname}`), { code: 'ENOTFOUND' });
  },
};

/**
 * The real app (service, views, config) on an in-memory database, with the log captured. Settlements pay at once
 * unless a test sets CRUX_DISPUTE_WINDOW_HOURS: most tests are about what happens after the money moves.
 */
export function testApp(env: Record<string, string> = {}, linkGuard: LinkGuard = NO_DNS): TestApp {
  const config = loadConfig({ CRUX_DATABASE: ':memory:', CRUX_DISPUTE_WINDOW_HOURS: '0', ...env });
  const db = freshMemoryDatabase();
  const logs: string[] = [];
  const app = createApp(config, db, (message, context) => logs.push(JSON.stringify({ message, ...context })), linkGuard);
  return {
    app,
    db,
    logs,
    assertVerified() {
      const report = verify(db);
      if (!report.ok) throw new Error(`ledger does not verify:\n${report.problems.join('\n')}`);
    },
  };
}

/** Feeds lines to the console on the harness's app, at `at` (the fixed test time unless given), and returns everything it printed. */
export async function driveConsole(harness: TestApp, lines: string[], at = T0): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const done = runConsole({ input, output, app: harness.app, now: () => at });
  input.end(`${lines.join('\n')}\n`);
  await done;
  return text;
}
