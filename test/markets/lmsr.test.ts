import { describe, expect, it } from 'vitest';
import { cost, costOfShares, logSumExp, openingShares, prices, sharesForAmount, worstCaseLoss } from '../../markets/lmsr.ts';
import { testApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

describe('LMSR math', () => {
  it('buys the closed-form number of shares: b = 100 at 50/50, 100 credits of YES', () => {
    // x = b·ln(1 + (e^{A/b} − 1)/p) = 100·ln(1 + 2(e − 1)) = 100·ln(2e − 1)
    const expected = 100 * Math.log(2 * Math.E - 1);
    const shares = sharesForAmount([0, 0], 100, 0, 100);
    expect(Math.abs(shares - expected)).toBeLessThan(1e-9);
    expect(expected).toBeCloseTo(148.99, 2);
  });

  it('prices after the buy are the softmax of the new q', () => {
    const shares = sharesForAmount([0, 0], 100, 0, 100);
    const after = prices([shares, 0], 100);
    const e = Math.exp(shares / 100);
    expect(after[0]).toBeCloseTo(e / (e + 1), 12);
    expect(after[1]).toBeCloseTo(1 / (e + 1), 12);
    // and the cost of those shares is exactly the amount paid
    expect(costOfShares([0, 0], 100, 0, shares)).toBeCloseTo(100, 9);
    expect(cost([shares, 0], 100) - cost([0, 0], 100)).toBeCloseTo(100, 9);
  });

  it('does not overflow for huge q/b', () => {
    const q = [1e6, 0, -1e6];
    const p = prices(q, 1);
    expect(p).toEqual([1, 0, 0]);
    expect(Number.isFinite(cost(q, 1))).toBe(true);
    expect(cost(q, 1)).toBeCloseTo(1e6, 6);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(Number.isFinite(costOfShares(q, 1, 1, 5e5))).toBe(true);
    // buying an enormous amount still solves in closed form
    const x = sharesForAmount([0, 0], 10, 1, 1e7);
    expect(Number.isFinite(x)).toBe(true);
    expect(costOfShares([0, 0], 10, 1, x)).toBeCloseTo(1e7, 3);
  });

  it('prices of a multi-outcome market sum to 1 within 1e-12', () => {
    const q = [3.5, -20, 400, 17, 0.001, 99];
    const total = prices(q, 50).reduce((s, p) => s + p, 0);
    expect(Math.abs(total - 1)).toBeLessThan(1e-12);
  });

  it('opens at the chosen probabilities and funds the worst-case loss', () => {
    const q0 = openingShares([0.45, 0.55], 100);
    const p = prices(q0, 100);
    expect(p[0]).toBeCloseTo(0.45, 12);
    // worst case: the 45% outcome wins → b·ln(1/0.45)
    expect(worstCaseLoss(q0, 100)).toBeCloseTo(100 * Math.log(1 / 0.45), 9);
    // uniform: b·ln n
    expect(worstCaseLoss(openingShares([0.25, 0.25, 0.25, 0.25], 80), 80)).toBeCloseTo(80 * Math.log(4), 9);
  });

  it('selling is the exact inverse of buying', () => {
    const q = [12, -3, 40];
    const bought = costOfShares(q, 30, 1, 25);
    const sold = costOfShares([12, 22, 40], 30, 1, -25);
    expect(bought + sold).toBeCloseTo(0, 10);
    // small and large trades agree across the two numeric branches
    expect(costOfShares(q, 30, 2, 29.999)).toBeCloseTo(costOfShares(q, 30, 2, 30.001), 2);
  });
});

describe('rounding a float cost to milli-credits', () => {
  it('charges a cost just above a whole milli-credit the next one up, though its float came out just below', () => {
    const { app, db } = testApp();
    const moderator = { realm: 'console', actor: { userId: 'mod', isModerator: true }, now: T0 };
    ok(app.service.openMarket({ id: 'edge', question: 'Will the float land short?', criteria: 'x', liquidity: 10.00509010856496, closesAt: T0 + DAY }, moderator));
    // Exactly, 601 Yes shares cost 601000 + 1000·b·ln(1 + e^(−601/b)) − 1000·b·ln 2 = 594065.000000000000426 milli-credits
    // (computed to 60 digits); the float is 594065.0, which rounded up alone would charge one milli-credit less.
    expect(ok(app.service.quoteBuy({ marketId: 'edge', outcome: 'Yes', shares: 601_000 }, moderator)).cash).toBe(594_066);
    db.close();
  });
});
