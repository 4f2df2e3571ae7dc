import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../db/migrate.ts';
import type { Db } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, failure, ok, T0 } from '../support/engine.ts';

const moderator: Context = { realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now: T0 };
const as = (userId: string): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: false }, now: T0 });

function openBinary(t: TestApp, question = 'Will the ROME result replicate?'): string {
  return ok(
    t.app.service.openMarket(
      { question, criteria: 'YES if it replicates.', closesAt: T0 + 30 * DAY, channelId: 'c', links: [] },
      moderator,
    ),
  ).id;
}

function bet(t: TestApp, marketId: string, userId: string, outcome: string, credits: number): void {
  ok(t.app.service.buy({ marketId, outcome, amount: creditsToMillis(credits) }, as(userId)));
}

function balance(db: Db, userId: string): number {
  return (db.prepare('SELECT balance FROM accounts WHERE id = ?').get(`user:console:${userId}`) as { balance: number }).balance;
}

/** Net settlement credits a trader holds from a market, read straight from the ledger. */
function received(db: Db, marketId: string, userId: string): number {
  const row = db
    .prepare(
      `SELECT COALESCE(SUM(CASE WHEN reason = 'clawback' THEN -amount ELSE amount END), 0) AS n FROM ledger
       WHERE market_id = ? AND ((reason IN ('payout', 'refund') AND to_account = ?) OR (reason = 'clawback' AND from_account = ?))`,
    )
    .get(marketId, `user:console:${userId}`, `user:console:${userId}`) as { n: number };
  return row.n;
}

function shares(db: Db, marketId: string, userId: string, outcome: number): number {
  const row = db.prepare('SELECT shares FROM positions WHERE market_id = ? AND user_id = ? AND outcome = ?').get(marketId, userId, outcome) as
    | { shares: number }
    | undefined;
  return row?.shares ?? 0;
}

describe('correcting a resolution', () => {
  it('takes the payouts back from the old winners and pays the new ones, all on the ledger', () => {
    const t = testApp();
    const market = openBinary(t);
    bet(t, market, 'alice', 'Yes', 100);
    bet(t, market, 'bob', 'No', 80);
    ok(t.app.service.resolveMarket(market, 'Yes', 'https://example.org/wrong', moderator));
    const aliceAfterPayout = balance(t.db, 'alice');
    const bobBefore = balance(t.db, 'bob');

    const correction = ok(t.app.resolution.correctResolution(market, { outcome: 'No' }, 'https://example.org/right', { ...moderator, now: T0 + DAY }));

    const aliceYes = shares(t.db, market, 'alice', 0);
    const bobNo = shares(t.db, market, 'bob', 1);
    expect(correction.previous.outcome).toBe(0);
    expect(correction.market).toMatchObject({ status: 'resolved', resolution: { outcome: 1, evidence: 'https://example.org/right' } });
    expect(correction.clawedBack).toEqual([{ userId: 'alice', amount: aliceYes }]);
    expect(correction.paid).toEqual([{ userId: 'bob', amount: bobNo }]);
    expect(correction.uncollected).toEqual([]);
    expect(balance(t.db, 'alice')).toBe(aliceAfterPayout - aliceYes);
    expect(balance(t.db, 'bob')).toBe(bobBefore + bobNo);
    expect(received(t.db, market, 'alice')).toBe(0);
    expect(received(t.db, market, 'bob')).toBe(bobNo);
    t.assertVerified();
  });

  it('never takes a balance below zero: what a winner already spent is covered by the mint and reported', () => {
    const t = testApp();
    const market = openBinary(t);
    const other = openBinary(t, 'Will a second lab report power-seeking?');
    bet(t, market, 'alice', 'Yes', 900);
    bet(t, market, 'bob', 'No', 50);
    ok(t.app.service.resolveMarket(market, 'Yes', 'https://example.org/wrong', moderator));
    const payout = received(t.db, market, 'alice');
    // Alice spends almost everything she has, payout included, in another market.
    const spendable = balance(t.db, 'alice') - creditsToMillis(10);
    ok(t.app.service.buy({ marketId: other, outcome: 'Yes', amount: spendable }, as('alice')));
    const bobBefore = balance(t.db, 'bob');

    const correction = ok(t.app.resolution.correctResolution(market, { outcome: 'No' }, 'https://example.org/right', moderator));

    expect(balance(t.db, 'alice')).toBe(0);
    expect(correction.clawedBack).toEqual([{ userId: 'alice', amount: creditsToMillis(10) }]);
    expect(correction.uncollected).toEqual([{ userId: 'alice', amount: payout - creditsToMillis(10) }]);
    expect(balance(t.db, 'bob')).toBe(bobBefore + shares(t.db, market, 'bob', 1));
    const minted = t.db.prepare(`SELECT SUM(amount) AS n FROM ledger WHERE market_id = ? AND reason = 'correction'`).get(market) as { n: number };
    expect(minted.n).toBeGreaterThan(0);
    t.assertVerified();
  });

  it('turns a resolution into a cancellation and back, refunding stakes and then paying the winners', () => {
    const t = testApp();
    const market = openBinary(t);
    bet(t, market, 'alice', 'Yes', 100);
    bet(t, market, 'bob', 'No', 40);
    ok(t.app.service.resolveMarket(market, 'Yes', 'https://example.org/a', moderator));

    const cancelled = ok(t.app.resolution.correctResolution(market, { cancel: true }, 'The question was ill-posed.', moderator));
    expect(cancelled.market.status).toBe('cancelled');
    expect(received(t.db, market, 'alice')).toBe(creditsToMillis(100));
    expect(received(t.db, market, 'bob')).toBe(creditsToMillis(40));
    t.assertVerified();

    const resolved = ok(t.app.resolution.correctResolution(market, { outcome: 'No' }, 'https://example.org/b', moderator));
    expect(resolved.market).toMatchObject({ status: 'resolved', resolution: { outcome: 1 } });
    expect(received(t.db, market, 'alice')).toBe(0);
    expect(received(t.db, market, 'bob')).toBe(shares(t.db, market, 'bob', 1));
    t.assertVerified();
  });

  it('refuses members, markets not yet settled, the same outcome again and a correction without evidence', () => {
    const t = testApp();
    const market = openBinary(t);
    bet(t, market, 'alice', 'Yes', 10);
    expect(failure(t.app.resolution.correctResolution(market, { outcome: 'No' }, 'x', moderator)).message).toContain('resolve it with /mod resolve first');
    ok(t.app.service.resolveMarket(market, 'Yes', 'https://example.org', moderator));
    expect(failure(t.app.resolution.correctResolution(market, { outcome: 'No' }, 'x', as('alice'))).code).toBe('not_moderator');
    expect(failure(t.app.resolution.correctResolution(market, { outcome: 'yes' }, 'x', moderator)).message).toContain('already resolved Yes');
    expect(failure(t.app.resolution.correctResolution(market, { outcome: 'No' }, '  ', moderator)).code).toBe('invalid_input');
    t.assertVerified();
  });

  it('keeps the books verified, no balance negative and no trader underpaid through any run of corrections', () => {
    const traders = ['alice', 'bob', 'carol'];
    const trade = fc.record({ trader: fc.constantFrom(...traders), outcome: fc.integer({ min: 0, max: 2 }), credits: fc.integer({ min: 1, max: 300 }) });
    const target = fc.oneof(fc.integer({ min: 0, max: 2 }).map((outcome) => ({ outcome })), fc.constant({ cancel: true as const }));
    fc.assert(
      fc.property(
        fc.array(trade, { minLength: 1, maxLength: 8 }),
        target,
        fc.array(fc.record({ spend: fc.subarray(traders), target }), { minLength: 1, maxLength: 3 }),
        (trades, first, corrections) => {
          const t = testApp();
          const market = ok(
            t.app.service.openMarket(
              { question: 'Which lab first?', criteria: 'The first to publish.', closesAt: T0 + DAY, outcomes: ['A', 'B', 'C'], channelId: 'c', links: [] },
              moderator,
            ),
          ).id;
          const sink = openBinary(t, 'A market to spend credits in');
          for (const trader of traders) ok(t.app.service.account(as(trader)));
          for (const { trader, outcome, credits } of trades) {
            const spend = Math.min(creditsToMillis(credits), balance(t.db, trader));
            if (spend >= creditsToMillis(1)) ok(t.app.service.buy({ marketId: market, outcome, amount: spend }, as(trader)));
          }
          if ('outcome' in first) ok(t.app.service.resolveMarket(market, first.outcome, 'first', moderator));
          else ok(t.app.service.cancelMarket(market, 'first', moderator));
          let current: number | null = 'outcome' in first ? first.outcome : null;
          for (const step of corrections) {
            for (const spender of step.spend) {
              const all = balance(t.db, spender);
              if (all >= creditsToMillis(1)) ok(t.app.service.buy({ marketId: sink, outcome: 'Yes', amount: all }, as(spender)));
            }
            const wanted = 'outcome' in step.target ? step.target.outcome : null;
            const result = t.app.resolution.correctResolution(market, step.target, 'corrected', moderator);
            if (wanted === current) {
              expect(result.ok).toBe(false);
              continue;
            }
            ok(result);
            current = wanted;
            t.assertVerified();
            const owed = (userId: string) =>
              wanted === null ? undefined : shares(t.db, market, userId, wanted);
            for (const trader of traders) {
              expect(balance(t.db, trader)).toBeGreaterThanOrEqual(0);
              const due = owed(trader);
              if (due !== undefined) expect(received(t.db, market, trader)).toBeGreaterThanOrEqual(due);
            }
          }
          t.db.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('migration 002', () => {
  it('upgrades a version-1 database keeping every ledger row, its ids and the books', () => {
    const db = new Database(':memory:');
    const [initial] = migrations();
    db.exec(initial?.sql ?? '');
    db.pragma('user_version = 1');
    db.prepare(`INSERT INTO accounts (id, kind, balance, created_at) VALUES ('user:alice', 'user', 700, 0)`).run();
    db.prepare(`UPDATE accounts SET balance = -700 WHERE id = 'mint'`).run();
    db.prepare(`INSERT INTO ledger (id, at, from_account, to_account, amount, reason) VALUES (41, 5, 'mint', 'user:alice', 700, 'grant')`).run();

    migrate(db, { readonly: false });

    // Migration 005 then moves the balance into the member's realm (the console's, with no markets anywhere).
    expect(db.prepare('SELECT id, amount, reason FROM ledger').all()).toEqual([
      { id: 41, amount: 700, reason: 'grant' },
      { id: 42, amount: 700, reason: 'migrate' },
    ]);
    expect(verify(db).ok).toBe(true);
    expect(() => db.prepare('DELETE FROM ledger').run()).toThrow('append-only');
  });

  it('rebuilds the ledger with the new reasons and keeps it append-only and indexed', () => {
    const t = testApp();
    const market = openBinary(t);
    bet(t, market, 'alice', 'Yes', 10);
    expect(() => t.db.prepare('UPDATE ledger SET amount = 0').run()).toThrow('append-only');
    expect(() => t.db.prepare('DELETE FROM ledger').run()).toThrow('append-only');
    const indexes = t.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger' ORDER BY name`).all();
    // Migration 004 later drops ledger_by_holder, which no query used; 006 adds the partial indexes of rows without a
    // market, 016 those of settlement receipts and clawbacks.
    expect(indexes).toEqual([
      { name: 'ledger_by_market' },
      { name: 'ledger_clawbacks' },
      { name: 'ledger_settlement_receipts' },
      { name: 'ledger_unmarketed_from' },
      { name: 'ledger_unmarketed_to' },
    ]);
    expect(() =>
      t.db.prepare(`INSERT INTO ledger (at, from_account, to_account, amount, reason) VALUES (0, 'mint', 'user:alice', 1, 'gift')`).run(),
    ).toThrow('unknown ledger reason');
  });

  it('keeps every leaderboard profit equal to the ledger rows between member and market, in every realm', () => {
    const guilds = ['g1', 'g2', null] as const;
    const how = fc.constantFrom('Yes', 'No', 'cancel');
    const event = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({ kind: fc.constant('bet' as const), market: fc.nat(), user: fc.nat({ max: 4 }), yes: fc.boolean(), credits: fc.integer({ min: 1, max: 60 }) }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), market: fc.nat(), how }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('correct' as const), market: fc.nat(), how }) },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...guilds), { minLength: 1, maxLength: 6 }), fc.array(event, { minLength: 10, maxLength: 40 }), (homes, events) => {
        const t = testApp();
        const markets = homes.map((guildId, i) => {
          const realm = guildId ?? 'console';
          const opened = ok(
            t.app.service.openMarket(
              { question: `Market number ${i}?`, criteria: 'x', closesAt: T0 + 30 * DAY, ...(guildId ? { guildId } : {}) },
              { ...moderator, realm },
            ),
          );
          return { slug: opened.slug, realm };
        });
        for (const e of events) {
          const { slug: market, realm } = markets[e.market % markets.length]!;
          const mod = { ...moderator, realm };
          // Refusals (a bet on a settled market, a correction of an open one) are part of the history too.
          if (e.kind === 'bet') t.app.service.buy({ marketId: market, outcome: e.yes ? 'Yes' : 'No', amount: creditsToMillis(e.credits) }, { ...as(`u${e.user}`), realm });
          else if (e.kind === 'settle') {
            if (e.how === 'cancel') t.app.service.cancelMarket(market, 'ill-posed', mod);
            else t.app.service.resolveMarket(market, e.how, 'https://example.org/a', mod);
          } else t.app.resolution.correctResolution(market, e.how === 'cancel' ? { cancel: true } : { outcome: e.how }, 'https://example.org/b', mod);
        }
        const flows = (guildId: string | null) =>
          new Map(
            (
              t.db
                .prepare(
                  `SELECT a.user_id AS account, SUM(CASE WHEN l.to_account = a.id THEN l.amount ELSE -l.amount END) AS profit
                   FROM ledger l JOIN markets m ON m.id = l.market_id JOIN accounts a ON a.id IN (l.to_account, l.from_account) AND a.kind = 'user'
                   WHERE m.realm = ? GROUP BY a.user_id`,
                )
                .all(guildId ?? 'console') as { account: string; profit: number }[]
            ).map((row) => [row.account, row.profit]),
          );
        for (const guildId of guilds) {
          const board = t.app.views.leaderboard(guildId ?? 'console', Infinity);
          expect(new Map(board.map((row) => [row.userId, row.profit]))).toEqual(flows(guildId));
        }
        t.assertVerified();
      }),
      { numRuns: 60 },
    );
  });
});
