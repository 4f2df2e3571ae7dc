import { describe, expect, it } from 'vitest';
import { brierScore, LOG_SCORE_EPSILON, logScore } from '../../markets/scoring/index.ts';

describe('brierScore', () => {
  it('uses the one-outcome form (p - o)^2 on binary markets', () => {
    // p = 0.7 on the first outcome; it happened: (0.7 - 1)^2 = 0.09
    expect(brierScore([0.7, 0.3], 0)).toBeCloseTo(0.09, 12);
    // it did not happen: (0.7 - 0)^2 = 0.49
    expect(brierScore([0.7, 0.3], 1)).toBeCloseTo(0.49, 12);
    // certainty on the wrong outcome is the worst binary score: (0 - 1)^2 = 1, not 2
    expect(brierScore([0, 1], 0)).toBe(1);
  });

  it('sums (p_i - o_i)^2 over outcomes on markets with 3 or more outcomes', () => {
    // [0.5, 0.3, 0.2], outcome 1 happened: 0.5^2 + (0.3 - 1)^2 + 0.2^2 = 0.25 + 0.49 + 0.04 = 0.78
    expect(brierScore([0.5, 0.3, 0.2], 1)).toBeCloseTo(0.78, 12);
    // certainty on the wrong outcome is the worst: 1^2 + 0 + (0 - 1)^2 = 2
    expect(brierScore([1, 0, 0], 2)).toBe(2);
    // a uniform forecast over 4 outcomes: 3 * (1/4)^2 + (3/4)^2 = 3/16 + 9/16 = 0.75
    expect(brierScore([0.25, 0.25, 0.25, 0.25], 3)).toBeCloseTo(0.75, 12);
  });
});

describe('logScore', () => {
  it('is the natural log of the probability given to what happened', () => {
    // ln(0.25) = -1.3862943611198906
    expect(logScore([0.25, 0.75], 0)).toBeCloseTo(-1.3862943611198906, 12);
    // outcome 2 of 3 got 0.5: ln(0.5) = -0.6931471805599453
    expect(logScore([0.2, 0.3, 0.5], 2)).toBeCloseTo(-0.6931471805599453, 12);
    expect(logScore([1, 0], 0)).toBe(0);
  });

  it('clamps to the epsilon so certainty on the wrong outcome is a large finite penalty', () => {
    expect(LOG_SCORE_EPSILON).toBe(1e-9);
    // ln(1e-9) = -9 * ln(10) = -20.72326583694641
    expect(logScore([1, 0], 1)).toBeCloseTo(-20.72326583694641, 10);
    expect(logScore([1, 0, 0], 2)).toBeCloseTo(-20.72326583694641, 10);
  });

  it('never goes above 0 when float arithmetic leaves a probability a hair above 1', () => {
    expect(logScore([1 + 1e-15, -1e-15], 0)).toBe(0);
  });
});
