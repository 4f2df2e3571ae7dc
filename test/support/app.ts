import { openDatabase, type Db } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { createApp } from '../../bot/app.ts';
import type { App } from '../../bot/commands/command.ts';
import { loadConfig } from '../../bot/config.ts';

export interface TestApp {
  app: App;
  db: Db;
  logs: string[];
  assertVerified(): void;
}

/** The real app (service, views, config) on an in-memory database, with the log captured. */
export function testApp(env: Record<string, string> = {}): TestApp {
  const config = loadConfig({ CRUX_DATABASE: ':memory:', ...env });
  const db = openDatabase(':memory:');
  const logs: string[] = [];
  const app = createApp(config, db, (message, context) => logs.push(JSON.stringify({ message, ...context })));
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
