import { describe, expect, it } from 'vitest';
import { baselineScore, brierScore, calibrationEntries, logScore, scoreComparably, scorePath } from '../../markets/scoring/index.ts';
import { binaryMarket, yes } from './fixtures.ts';

/** A binary market resolved 70% Yes. */
const partly = { ...binaryMarket('m', 4, 0), resolvedProbabilities: [0.7, 0.3] };

describe('scores of a resolution to a probability', () => {
  it('take o = p for Brier', () => {
    // binary: (0.6 - 0.7)^2 = 0.01; three outcomes: (0.5-0.5)^2 + (0.2-0.3)^2 + (0.3-0.2)^2 = 0.02
    expect(brierScore([0.6, 0.4], [0.7, 0.3])).toBeCloseTo(0.01, 12);
    expect(brierScore([0.5, 0.2, 0.3], [0.5, 0.3, 0.2])).toBeCloseTo(0.02, 12);
  });

  it('take the expected log score, skipping outcomes resolved at 0', () => {
    expect(logScore([0.6, 0.4], [0.7, 0.3])).toBeCloseTo(0.7 * Math.log(0.6) + 0.3 * Math.log(0.4), 12);
    // A forecast of 0 on an outcome resolved at 0 costs nothing; on one resolved above 0 the clamp applies.
    expect(logScore([1, 0], [1, 0])).toBe(0);
    expect(logScore([0.5, 0.5, 0], [0.5, 0.5, 0])).toBeCloseTo(Math.log(0.5), 12);
    // The baseline is built on it: 100 (E ln p + ln 2) / ln 2.
    expect(baselineScore([0.6, 0.4], [0.7, 0.3])).toBeCloseTo((100 * (0.7 * Math.log(0.6) + 0.3 * Math.log(0.4) + Math.log(2))) / Math.log(2), 9);
  });

  it('score a path and the comparable scores in expectation', () => {
    // 0.6 Yes from day 0 to 2, then 0.9 to day 4.
    const path = [yes('u', 'm', 0, 0.6), yes('u', 'm', 2, 0.9)];
    const scores = scorePath(path, partly);
    const brier = (p: number) => (p - 0.7) ** 2;
    const log = (p: number) => 0.7 * Math.log(p) + 0.3 * Math.log(1 - p);
    expect(scores?.timeAveragedBrier).toBeCloseTo((brier(0.6) + brier(0.9)) / 2, 12);
    expect(scores?.timeAveragedLogScore).toBeCloseTo((log(0.6) + log(0.9)) / 2, 12);
    expect(scores?.finalBrier).toBeCloseTo(brier(0.9), 12);
    // Two forecasters throughout: each peer score is 100 (E ln p - the other's E ln p).
    const comparable = scoreComparably(partly, [yes('u', 'm', 0, 0.6), yes('v', 'm', 0, 0.9)]);
    expect(comparable.get('u')?.peerScore).toBeCloseTo(100 * (log(0.6) - log(0.9)), 9);
    expect(comparable.get('v')?.peerScore).toBeCloseTo(100 * (log(0.9) - log(0.6)), 9);
  });

  it('count an outcome resolved at p as p of an entry that happened in calibration', () => {
    expect(calibrationEntries(partly, [yes('u', 'm', 1, 0.6)])).toEqual([{ probability: 0.6, happened: 0.7 }]);
    expect(calibrationEntries(binaryMarket('m', 4, 0), [yes('u', 'm', 1, 0.6)])).toEqual([{ probability: 0.6, happened: true }]);
  });

  it('score a certain resolution exactly as an ordinary one', () => {
    const forecasts = [yes('u', 'm', 0, 0.6), yes('u', 'm', 2, 0.9)];
    expect(scorePath(forecasts, { ...binaryMarket('m', 4, 1), resolvedProbabilities: [0, 1] })).toEqual(scorePath(forecasts, binaryMarket('m', 4, 1)));
  });
});
