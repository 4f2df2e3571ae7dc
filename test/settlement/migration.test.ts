import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { latestVersion } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import type { Context } from '../../markets/service.ts';
import { DAY, failure, ok, T0, testEngine } from '../support/engine.ts';
import { rewindSchema } from '../support/schema.ts';
import { folderForEachTest } from '../support/folder.ts';

const HOUR = 60 * 60 * 1000;
const moderator = (now = T0): Context => ({ realm: 'console', actor: { userId: 'mod', isModerator: true }, now });
const member = (userId: string, now = T0): Context => ({ realm: 'console', actor: { userId, isModerator: false }, now });

const dir = folderForEachTest('crux-migration-008-');
let database: string;
beforeEach(() => {
  database = join(dir(), 'crux.sqlite');
});

/**
 * A database as schema 007 leaves it: a market resolved and paid at once, another with open trades, written today
 * and rewound to schema 007 (which checks that the result is exactly what 007 wrote).
 */
function writtenBy007(): void {
  const engine = testEngine({}, database);
  const open = (id: string) => ok(engine.service.openMarket({ id, question: `Will ${id} hold?`, criteria: 'YES.', closesAt: T0 + 30 * DAY }, moderator()));
  open('settled-before');
  open('still-open');
  for (const id of ['settled-before', 'still-open']) {
    ok(engine.service.buy({ marketId: id, outcome: 'Yes', amount: 20_000 }, member('alice')));
    ok(engine.service.buy({ marketId: id, outcome: 'No', amount: 15_000 }, member('bob')));
  }
  ok(engine.service.resolveMarket('settled-before', 'Yes', 'https://example.org/old', moderator()));
  rewindSchema(engine.db, 7);
  engine.db.close();
}

it('migrates a database written by schema 007: old settlements stay as they were, new ones wait out the window', () => {
  writtenBy007();
  const db = openDatabase(database);
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(verify(db).problems).toEqual([]);
    const app = createApp(loadConfig({ CRUX_DATABASE: database, CRUX_DISPUTE_WINDOW_HOURS: '24' }), db, () => {});

    const settled = app.views.market('console', 'settled-before');
    expect(settled.market.status).toBe('resolved');
    expect(settled.settlement).toBeUndefined();
    expect(failure(app.settlements.dispute('settled-before', 'Too late', undefined, member('bob'))).message).toContain('is settled and its dispute window is over');

    const pending = ok(app.service.resolveMarket('still-open', 'No', 'https://example.org/new', moderator(T0 + DAY)));
    expect(pending.record.status).toBe('pending');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE market_id = 'still-open' AND reason = 'payout'`).get()).toEqual({ n: 0 });
    const [applied] = app.settlements.applyDue(T0 + DAY + 24 * HOUR);
    expect(applied?.result.ok).toBe(true);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE market_id = 'still-open' AND reason = 'payout'`).get()).toEqual({ n: 1 });
    expect(verify(db).problems).toEqual([]);
  } finally {
    db.close();
  }
});
