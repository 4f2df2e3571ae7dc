import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { latestVersion } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import { DAY, ok, T0 } from '../support/engine.ts';
import { folderForEachTest } from '../support/folder.ts';
import { rewindSchema, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_settlement_receipts.sql');
const dir = folderForEachTest('crux-migration-receipts-');
const moderator = (now: number): Context => ({ realm: 'console', actor: { userId: 'mod', isModerator: true }, now });
const as = (userId: string, now: number): Context => ({ realm: 'console', actor: { userId, isModerator: false }, now });
const appOn = (db: Database.Database, path: string) => createApp(loadConfig({ CRUX_DATABASE: path, CRUX_DISPUTE_WINDOW_HOURS: '0' }), db, () => {});

/** How many entries an index holds, from SQLite's own page statistics. */
const entriesOf = (db: Database.Database, index: string) =>
  (db.prepare(`SELECT SUM(ncell) AS n FROM dbstat WHERE name = ? AND pagetype = 'leaf'`).get(index) as { n: number | null }).n ?? 0;

it(`migrates a schema-${previous} database: a refund spent before a reinstatement written then is paid back by the next sale`, () => {
  const path = join(dir(), 'crux.sqlite');
  const before = openDatabase(path);
  const old = appOn(before, path);
  ok(old.service.openMarket({ id: 'cond', question: 'Condition?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator(T0)));
  ok(old.service.openMarket({ id: 'other', question: 'Other?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator(T0)));
  ok(old.service.openMarket({ id: 'c', question: 'Conditional?', criteria: 'x', closesAt: T0 + 3 * DAY, condition: { market: 'cond', outcome: 'Yes' } }, moderator(T0)));
  const stake = ok(old.service.buy({ marketId: 'c', outcome: 'Yes', amount: creditsToMillis(300) }, as('ann', T0))).quote.cash;
  ok(old.service.buy({ marketId: 'c', outcome: 'No', amount: creditsToMillis(50) }, as('ben', T0)));
  ok(old.service.resolveMarket('cond', 'No', 'seen', moderator(T0 + 1)));
  ok(old.service.buy({ marketId: 'other', outcome: 'Yes', amount: old.views.portfolio('console', 'ann').balance }, as('ann', T0 + 2)));
  ok(old.resolution.correctResolution('cond', { outcome: 'Yes' }, 'it held', moderator(T0 + 3)));
  rewindSchema(before, previous);
  before.close();

  const db = openDatabase(path);
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    // The indexes hold the settlement rows written before, and no trade: two refunds, ben's clawback.
    expect(entriesOf(db, 'ledger_settlement_receipts')).toBe(2);
    expect(entriesOf(db, 'ledger_clawbacks')).toBe(1);
    const app = appOn(db, path);
    const sold = ok(app.service.sell({ marketId: 'c', outcome: 'Yes' }, as('ann', T0 + 4)));
    expect(sold.repaid).toBe(Math.min(stake, sold.quote.cash));
    expect(sold.balance).toBe(sold.quote.cash - sold.repaid);
    expect(verify(db).problems).toEqual([]);
  } finally {
    db.close();
  }
});
