import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verify } from '../../db/verify.ts';
import { maxLiability } from '../../markets/market.ts';
import { currentPrices } from '../../markets/market.ts';
import { DAY, T0, type TestEngine, testEngine } from '../support/engine.ts';

const USERS = ['ann', 'ben', 'cal', 'dee'];

type Step =
  | { kind: 'open'; outcomes: number; weights: number[]; liquidity: number }
  | { kind: 'buyAmount'; market: number; user: number; outcome: number; amount: number }
  | { kind: 'buyShares'; market: number; user: number; outcome: number; shares: number }
  | { kind: 'sell'; market: number; user: number; outcome: number; fraction: number }
  | { kind: 'close'; market: number }
  | { kind: 'resolve'; market: number; outcome: number }
  | { kind: 'cancel'; market: number };

const index = fc.nat({ max: 19 });
const openStep = fc.record({
  kind: fc.constant('open' as const),
  outcomes: fc.integer({ min: 2, max: 6 }),
  weights: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }),
  liquidity: fc.integer({ min: 10, max: 2000 }),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: openStep },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('buyAmount' as const), market: index, user: index, outcome: index, amount: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 900_000 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('buyShares' as const), market: index, user: index, outcome: index, shares: fc.integer({ min: 1, max: 400_000 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('sell' as const), market: index, user: index, outcome: index, fraction: fc.double({ min: 0.01, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), market: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), market: index, outcome: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), market: index }) },
);

function pick<T>(items: readonly T[], i: number): T | undefined {
  return items.length === 0 ? undefined : items[i % items.length];
}

/** A market of 2 to 20 outcomes opened at random probabilities, with a random liquidity. */
const marketShape = fc.record({
  outcomes: fc.integer({ min: 2, max: 20 }),
  liquidity: fc.integer({ min: 10, max: 5000 }),
  weights: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
});

type MarketShape = typeof marketShape extends fc.Arbitrary<infer Shape> ? Shape : never;

/** Opens market `m` of that shape on a fresh engine with rich traders, runs the check, and closes the database. */
function onRandomMarket(shape: MarketShape, question: string, check: (engine: TestEngine) => void): void {
  const engine = testEngine({ startingGrant: 10_000_000 });
  try {
    const outcomes = Array.from({ length: shape.outcomes }, (_, i) => `O${i}`);
    const probabilities = shape.weights.slice(0, shape.outcomes);
    const opened = engine.service.openMarket(
      { id: 'm', question, criteria: 'x', outcomes, probabilities, liquidity: shape.liquidity, closesAt: T0 + DAY },
      engine.member('maker'),
    );
    expect(opened.ok).toBe(true);
    check(engine);
  } finally {
    engine.db.close();
  }
}

/** Thousands of random histories, each verified after every step: their time is their work, not a hang. */
const PROPERTY_TIMEOUT_MS = 180_000;

describe('money is conserved under any sequence of trades', () => {
  it('keeps every invariant after thousands of random sequences', () => {
    // Counts of steps that went through, so the property cannot pass on refusals alone.
    const applied = { buy: 0, sell: 0, resolve: 0, cancel: 0 };
    const tally = (kind: keyof typeof applied, result: { ok: boolean }) => {
      if (result.ok) applied[kind]++;
    };
    fc.assert(
      fc.property(openStep, fc.array(step, { minLength: 1, maxLength: 30 }), (first, rest) => {
        const steps: Step[] = [first, ...rest];
        const engine = testEngine({ startingGrant: 5_000_000 });
        const markets: { id: string; outcomes: number }[] = [];
        const mod = engine.moderator('mod');
        try {
          for (const s of steps) {
            if (s.kind === 'open') {
              const outcomes = Array.from({ length: s.outcomes }, (_, i) => `O${i}`);
              const result = engine.service.openMarket(
                { question: `Random market number ${markets.length}`, criteria: 'random', outcomes, probabilities: s.weights.slice(0, s.outcomes), liquidity: s.liquidity, closesAt: T0 + DAY },
                mod,
              );
              expect(result.ok).toBe(true);
              if (result.ok) markets.push({ id: result.value.id, outcomes: s.outcomes });
              continue;
            }
            const market = pick(markets, s.market);
            if (!market) continue;
            if (s.kind === 'close') engine.service.closeMarket(market.id, mod);
            else if (s.kind === 'resolve') tally('resolve', engine.service.resolveMarket(market.id, s.outcome % market.outcomes, 'evidence', mod));
            else if (s.kind === 'cancel') tally('cancel', engine.service.cancelMarket(market.id, 'random cancel', mod));
            else {
              const user = engine.member(pick(USERS, s.user) ?? 'ann');
              const outcome = s.outcome % market.outcomes;
              if (s.kind === 'buyAmount') tally('buy', engine.service.buy({ marketId: market.id, outcome, amount: s.amount }, user));
              else if (s.kind === 'buyShares') tally('buy', engine.service.buy({ marketId: market.id, outcome, shares: s.shares }, user));
              else {
                // Sell from an existing holding, so most sells are real ones.
                const holding = pick(engine.store.positions(market.id), s.user);
                if (holding) {
                  const seller = engine.member(holding.userId);
                  const shares = Math.max(1, Math.floor(holding.shares * s.fraction));
                  tally('sell', engine.service.sell({ marketId: market.id, outcome: holding.outcome, shares }, seller));
                }
              }
            }
            // After every step: the books balance, nobody is below zero, every pool covers its worst case.
            const report = verify(engine.db);
            expect(report.problems).toEqual([]);
          }
          for (const { id } of markets) {
            const market = engine.store.findMarket(id);
            if (!market) throw new Error('market vanished');
            const total = currentPrices(market).reduce((sum, p) => sum + p, 0);
            expect(Math.abs(total - 1)).toBeLessThan(1e-12);
            if (market.status === 'open' || market.status === 'closed') {
              // The maker can lose at most its subsidy: what the pool received from traders covers the rest.
              expect(market.pool).toBeGreaterThanOrEqual(maxLiability(market.outstanding));
            }
          }
          const settledReturns = engine.db
            .prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ledger WHERE reason = 'settle' AND amount < 0`)
            .get();
          expect(settledReturns?.n).toBe(0);
        } finally {
          engine.db.close();
        }
      }),
      { numRuns: 1500 },
    );
    expect(applied.buy).toBeGreaterThan(2500);
    expect(applied.sell).toBeGreaterThan(600);
    expect(applied.resolve).toBeGreaterThan(200);
    expect(applied.cancel).toBeGreaterThan(200);
  }, PROPERTY_TIMEOUT_MS);

  it('buying for an amount and selling it all never returns more than was paid', () => {
    fc.assert(
      fc.property(marketShape, fc.nat({ max: 19 }), fc.integer({ min: 1, max: 2_000_000 }), (shape, outcomeSeed, amount) =>
        onRandomMarket(shape, 'A round trip market', (engine) => {
          const trader = engine.member('t');
          const outcome = outcomeSeed % shape.outcomes;
          const bought = engine.service.buy({ marketId: 'm', outcome, amount }, trader);
          if (!bought.ok) {
            expect(bought.error.code).toBe('amount_too_small');
            return;
          }
          expect(bought.value.quote.cash).toBeLessThanOrEqual(amount);
          const sold = engine.service.sell({ marketId: 'm', outcome }, trader);
          // A holding so small that selling it pays 0 credits is refused rather than given away.
          if (sold.ok) expect(sold.value.quote.cash).toBeLessThanOrEqual(bought.value.quote.cash);
          else expect(sold.error.code).toBe('amount_too_small');
          expect(engine.store.findAccount('user:console:t')?.balance).toBeLessThanOrEqual(10_000_000);
          expect(verify(engine.db).ok).toBe(true);
        }),
      ),
      { numRuns: 1000 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a replayed trade answers with exactly the numbers of the trade, its prices remade from what was kept', () => {
    const trade = fc.record({ user: fc.nat({ max: 3 }), outcome: fc.nat({ max: 19 }), amount: fc.integer({ min: 1, max: 900_000 }), sell: fc.boolean() });
    fc.assert(
      fc.property(marketShape, fc.array(trade, { minLength: 1, maxLength: 12 }), (shape, trades) =>
        onRandomMarket(shape, 'A replayed market', (engine) => {
          const made = trades.map((t, i) => {
            const context = { ...engine.member(pick(USERS, t.user) ?? 'ann'), requestId: `request-${i}` };
            const outcome = t.outcome % shape.outcomes;
            const run = () =>
              t.sell ? engine.service.sell({ marketId: 'm', outcome }, context) : engine.service.buy({ marketId: 'm', outcome, amount: t.amount }, context);
            return { run, first: run() };
          });
          for (const { run, first } of made) {
            const again = run();
            if (!first.ok || !again.ok) {
              // A refused trade kept nothing, so asking again is a new request, which the market has since moved under.
              continue;
            }
            expect({ ...again.value, market: again.value.market.id }).toEqual({ ...first.value, market: first.value.market.id });
          }
        }),
      ),
      { numRuns: 300 },
    );
  });
});
