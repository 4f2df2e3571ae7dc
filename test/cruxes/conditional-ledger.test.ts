import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { verify } from '../../db/verify.ts';
import { cancelledByCondition, conditionHeld } from '../../markets/cruxes/conditions.ts';
import type { Market } from '../../markets/market.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { payoutsFor, type Context } from '../../markets/service.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;
const USERS = ['ann', 'ben', 'cal', 'dee'];
const moderator = (now: number): Context => ({ realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now });
const as = (userId: string): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: false }, now: T0 });

/** The condition, a conditional on each of its outcomes, and one conditional on a conditional: a chain two deep. */
const MARKETS = [
  { id: 'cond', condition: undefined },
  { id: 'if-yes', condition: { market: 'cond', outcome: 'Yes' } },
  { id: 'if-no', condition: { market: 'cond', outcome: 'No' } },
  { id: 'if-yes-yes', condition: { market: 'if-yes', outcome: 'Yes' } },
] as const;
const CONDITIONALS = MARKETS.filter((market) => market.condition !== undefined);

const trade = fc.record({
  market: fc.nat({ max: MARKETS.length - 1 }),
  user: fc.nat({ max: USERS.length - 1 }),
  outcome: fc.nat({ max: 1 }),
  credits: fc.integer({ min: 1, max: 300 }),
  sellFraction: fc.option(fc.double({ min: 0.1, max: 1, noNaN: true }), { nil: undefined }),
});
type Trade = typeof trade extends fc.Arbitrary<infer T> ? T : never;

const settlementStep = fc.record({
  kind: fc.constantFrom('resolve', 'cancel', 'correct-outcome', 'correct-cancel'),
  market: fc.nat({ max: MARKETS.length - 1 }),
  outcome: fc.nat({ max: 1 }),
});
type SettlementStep = typeof settlementStep extends fc.Arbitrary<infer T> ? T : never;

function openAll(t: TestApp): void {
  for (const { id, condition } of MARKETS) {
    ok(
      t.app.service.openMarket(
        { id, question: `Question ${id}?`, criteria: 'x', closesAt: T0 + DAY, liquidity: 50, ...(condition ? { condition } : {}) },
        moderator(T0),
      ),
    );
  }
}

function runTrades(t: TestApp, trades: readonly Trade[]): void {
  for (const step of trades) {
    const marketId = MARKETS[step.market]?.id ?? 'cond';
    const userId = USERS[step.user] ?? 'ann';
    const bought = t.app.service.buy({ marketId, outcome: step.outcome, amount: creditsToMillis(step.credits) }, as(userId));
    if (bought.ok && step.sellFraction !== undefined) {
      const shares = Math.max(1, Math.floor(bought.value.position * step.sellFraction));
      t.app.service.sell({ marketId, outcome: step.outcome, shares }, as(userId));
    }
  }
}

/** Refusals are part of the sequence (resolving a conditional whose condition has not held, correcting an open market). */
function applyStep(t: TestApp, step: SettlementStep, now: number): void {
  const marketId = MARKETS[step.market]?.id ?? 'cond';
  const context = moderator(now);
  if (step.kind === 'resolve') t.app.service.resolveMarket(marketId, step.outcome, 'seen', context);
  if (step.kind === 'cancel') t.app.service.cancelMarket(marketId, 'void', context);
  if (step.kind === 'correct-outcome') t.app.resolution.correctResolution(marketId, { outcome: step.outcome }, 'seen', context);
  if (step.kind === 'correct-cancel') t.app.resolution.correctResolution(marketId, { cancel: true }, 'void', context);
}

type Transfers = Map<string, number>;
const asMap = (transfers: readonly { userId: string; amount: number }[]): Transfers =>
  new Map(transfers.filter((transfer) => transfer.amount !== 0).map((transfer) => [transfer.userId, transfer.amount]));

/** What a moderator's cancel of each conditional pays, on a twin of the same trades where nothing else has settled. */
function moderatorRefunds(trades: readonly Trade[]): Map<string, Transfers> {
  const twin = testApp();
  openAll(twin);
  runTrades(twin, trades);
  const refunds = new Map<string, Transfers>();
  // Deepest first, so each is cancelled by the moderator and not by its condition.
  for (const { id } of [...CONDITIONALS].reverse()) refunds.set(id, asMap(ok(twin.app.service.cancelMarket(id, 'void', moderator(T0 + HOUR))).paid));
  twin.db.close();
  return refunds;
}

describe('conditional markets on the ledger', () => {
  it('after any order of resolutions, cancellations and corrections, books close and each conditional is settled once for the state it is in', () => {
    fc.assert(
      fc.property(fc.array(trade, { minLength: 1, maxLength: 25 }), fc.array(settlementStep, { minLength: 1, maxLength: 8 }), (trades, steps) => {
        const refunds = moderatorRefunds(trades);
        const t = testApp();
        const received = new SqliteStore(t.db);
        try {
          openAll(t);
          runTrades(t, trades);
          const market = (id: string): Market => t.app.views.market('console', id).market;
          steps.forEach((step, i) => {
            applyStep(t, step, T0 + (i + 1) * HOUR);
            const report = verify(t.db);
            expect(report.problems).toEqual([]);
            for (const { id, condition } of CONDITIONALS) {
              const conditional = market(id);
              const above = market(condition.market);
              const assumed = above.outcomes.indexOf(condition.outcome);
              const aboveSettled = above.status === 'resolved' || above.status === 'cancelled';
              // Where the condition failed the conditional is cancelled; where it held, or is unsettled, the condition
              // cancelled nothing; until it holds, the conditional is not resolved.
              const held = conditionHeld(above, assumed);
              if (aboveSettled && !held) expect(conditional.status).toBe('cancelled');
              else expect(cancelledByCondition(conditional)).toBe(false);
              if (!held) expect(conditional.status).not.toBe('resolved');
              const owed =
                conditional.status === 'cancelled'
                  ? (refunds.get(id) ?? new Map())
                  : conditional.status === 'resolved'
                    ? asMap(payoutsFor(t.app.views.holdings(conditional.id), { outcome: conditional.resolution?.outcome ?? -1 }))
                    : new Map();
              expect(asMap(received.settlementReceived(conditional.id))).toEqual(owed);
            }
          });
        } finally {
          t.db.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('pays a refund once: one its trader spent before the conditional was reinstated counts toward the next settlement', () => {
    const t = testApp();
    const { service, resolution } = t.app;
    const received = new SqliteStore(t.db);
    const netOf = (marketId: string, userId: string) => asMap(received.settlementReceived(marketId)).get(userId) ?? 0;
    const balance = (userId: string) => t.app.views.portfolio('console', userId).balance;
    ok(service.openMarket({ id: 'cond', question: 'Condition market?', criteria: 'x', closesAt: T0 + DAY }, moderator(T0)));
    ok(service.openMarket({ id: 'other', question: 'Other market?', criteria: 'x', closesAt: T0 + DAY }, moderator(T0)));
    ok(service.openMarket({ id: 'cx', question: 'Conditional market?', criteria: 'x', closesAt: T0 + DAY, condition: { market: 'cond', outcome: 'Yes' } }, moderator(T0)));
    const stake = ok(service.buy({ marketId: 'cx', outcome: 'Yes', amount: creditsToMillis(100) }, as('ann'))).quote.cash;
    ok(service.resolveMarket('cond', 'No', 'seen', moderator(T0 + 1)));
    expect(netOf('cx', 'ann')).toBe(stake);
    // Ann spends her refund elsewhere, so the reinstatement cannot take it back.
    ok(service.buy({ marketId: 'other', outcome: 'Yes', amount: balance('ann') }, as('ann')));
    ok(resolution.correctResolution('cond', { outcome: 'Yes' }, 'oops', moderator(T0 + 2)));
    expect(t.app.views.market('console', 'cx').market.status).toBe('open');
    expect(netOf('cx', 'ann')).toBe(stake);

    // Cancelled again: she is owed her stake, which she has.
    ok(resolution.correctResolution('cond', { outcome: 'No' }, 'oops again', moderator(T0 + 3)));
    expect(netOf('cx', 'ann')).toBe(stake);
    // Reinstated and resolved her way: she is owed her shares, and her refund counts toward them.
    ok(resolution.correctResolution('cond', { outcome: 'Yes' }, 'it held after all', moderator(T0 + 4)));
    const shares = t.app.views.holdings('cx').find((holding) => holding.userId === 'ann')?.shares ?? 0;
    ok(service.resolveMarket('cx', 'Yes', 'https://example.org/cx', moderator(T0 + 5)));
    expect(netOf('cx', 'ann')).toBe(Math.max(shares, stake));
    t.assertVerified();
    t.db.close();
  });
});

