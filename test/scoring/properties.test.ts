import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brierScore, LOG_SCORE_EPSILON, logScore, scorePath, type ScoredMarket } from '../../markets/scoring/index.ts';

const CLOSES_AT = 1_000_000;

/** An outcome count, the index that happened, and a probability vector over those outcomes. */
const forecastOnMarket = fc.integer({ min: 2, max: 6 }).chain((outcomeCount) =>
  fc.record({
    resolvedOutcome: fc.nat({ max: outcomeCount - 1 }),
    probabilities: fc
      .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: outcomeCount, maxLength: outcomeCount })
      .filter((weights) => weights.some((weight) => weight > 0))
      .map((weights) => {
        const total = weights.reduce((sum, weight) => sum + weight, 0);
        return weights.map((weight) => weight / total);
      }),
  }),
);

/** Forecast times, some of them after the close (those must not matter). */
const forecastTimes = fc.array(fc.integer({ min: 0, max: CLOSES_AT * 1.2 }), { minLength: 1, maxLength: 8 });

function marketFor(outcomeCount: number, resolvedOutcome: number): ScoredMarket {
  return {
    marketId: 'm',
    outcomes: Array.from({ length: outcomeCount }, (_, index) => `outcome ${index}`),
    openedAt: 0,
    closesAt: CLOSES_AT,
    resolvedOutcome,
  };
}

describe('scoring properties', () => {
  it('scores a perfect forecaster (probability 1 on what happened) Brier 0 and log 0', () => {
    fc.assert(
      fc.property(forecastOnMarket, forecastTimes, ({ probabilities, resolvedOutcome }, times) => {
        const perfect = probabilities.map((_, outcome) => (outcome === resolvedOutcome ? 1 : 0));
        expect(brierScore(perfect, resolvedOutcome)).toBe(0);
        expect(logScore(perfect, resolvedOutcome)).toBe(0);
        const scores = scorePath(
          times.map((at) => ({ at, probabilities: perfect })),
          marketFor(perfect.length, resolvedOutcome),
        );
        if (scores) expect(Object.values(scores).every((score) => score === 0)).toBe(true);
      }),
    );
  });

  it('scores a constant 0.5 binary forecaster Brier 0.25 whatever happened', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1 }), forecastTimes, (resolvedOutcome, times) => {
        expect(brierScore([0.5, 0.5], resolvedOutcome)).toBe(0.25);
        const scores = scorePath(
          times.map((at) => ({ at, probabilities: [0.5, 0.5] })),
          marketFor(2, resolvedOutcome),
        );
        if (scores) {
          expect(scores.timeAveragedBrier).toBe(0.25);
          expect(scores.finalBrier).toBe(0.25);
        }
      }),
    );
  });

  it('keeps Brier in [0, 1] for binary and [0, 2] for more outcomes, and log in [ln epsilon, 0]', () => {
    fc.assert(
      fc.property(forecastOnMarket, ({ probabilities, resolvedOutcome }) => {
        const brier = brierScore(probabilities, resolvedOutcome);
        expect(brier).toBeGreaterThanOrEqual(0);
        expect(brier).toBeLessThanOrEqual(probabilities.length === 2 ? 1 : 2);
        const log = logScore(probabilities, resolvedOutcome);
        expect(log).toBeLessThanOrEqual(0);
        expect(log).toBeGreaterThanOrEqual(Math.log(LOG_SCORE_EPSILON));
      }),
    );
  });

  it("time-averages a constant forecast to that forecast's own score", () => {
    fc.assert(
      fc.property(forecastOnMarket, forecastTimes, ({ probabilities, resolvedOutcome }, times) => {
        const scores = scorePath(
          times.map((at) => ({ at, probabilities })),
          marketFor(probabilities.length, resolvedOutcome),
        );
        const anyInWindow = times.some((at) => at <= CLOSES_AT);
        expect(scores === null).toBe(!anyInWindow);
        if (!scores) return;
        expect(scores.timeAveragedBrier).toBeCloseTo(brierScore(probabilities, resolvedOutcome), 12);
        expect(scores.timeAveragedLogScore).toBeCloseTo(logScore(probabilities, resolvedOutcome), 10);
      }),
    );
  });
});
