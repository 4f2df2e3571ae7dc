import { describe, expect, it } from 'vitest';
import { scoreCrowd, scoreForecasters } from '../../markets/scoring/index.ts';
import { binaryMarket, DAY, yes } from './fixtures.ts';

const market = binaryMarket('m', 4); // Yes happened

describe('scoreForecasters: relative Brier', () => {
  it('subtracts the median of an even number of forecasters (mean of the two middle values)', () => {
    const forecasts = [
      yes('dana', 'm', 0, 0.2), // Brier (0.2 - 1)^2 = 0.64
      yes('ben', 'm', 0, 0.7), //  Brier (0.7 - 1)^2 = 0.09
      yes('cat', 'm', 0, 0.5), //  Brier (0.5 - 1)^2 = 0.25
      yes('ann', 'm', 0, 0.9), //  Brier (0.9 - 1)^2 = 0.01
    ];
    // sorted: 0.01, 0.09, 0.25, 0.64 -> median (0.09 + 0.25) / 2 = 0.17
    const rows = scoreForecasters(market, forecasts);
    expect(rows.map((row) => row.userId)).toEqual(['ann', 'ben', 'cat', 'dana']);
    const relative = rows.map((row) => row.relativeBrier);
    // ann 0.01 - 0.17 = -0.16, ben 0.09 - 0.17 = -0.08, cat 0.25 - 0.17 = 0.08, dana 0.64 - 0.17 = 0.47
    [-0.16, -0.08, 0.08, 0.47].forEach((expected, index) => expect(relative[index]).toBeCloseTo(expected, 12));
  });

  it('subtracts, interval by interval, the median of those forecasting then', () => {
    const forecasts = [
      yes('ann', 'm', 0, 0.6), // 0.16 for 1 day, then 0.01 for 3 days: 0.0475
      yes('ann', 'm', 1, 0.9),
      yes('ben', 'm', 0, 0.5), // 0.25
      yes('cat', 'm', 2, 0.8), // 0.04 from day 2
    ];
    // day 0-1: ann 0.16, ben 0.25 -> median 0.205; day 1-2: ann 0.01, ben 0.25 -> 0.13;
    // days 2-4: ann 0.01, ben 0.25, cat 0.04 -> 0.04 (the middle of an odd count)
    const relative = scoreForecasters(market, forecasts).map((row) => row.relativeBrier);
    // ann (-0.045 - 0.12 - 0.03 * 2) / 4 = -0.05625; ben (0.045 + 0.12 + 0.21 * 2) / 4 = 0.14625; cat 0 over days 2-4
    [-0.05625, 0.14625, 0].forEach((expected, index) => expect(relative[index]).toBeCloseTo(expected, 12));
  });

  it('leaves out users who only forecast after closesAt, and forecasts on other markets', () => {
    const forecasts = [yes('ann', 'm', 0, 0.9), yes('late', 'm', 5, 0.1), yes('elsewhere', 'other', 0, 0.1)];
    const rows = scoreForecasters(market, forecasts);
    expect(rows.map((row) => row.userId)).toEqual(['ann']);
    // alone, ann is the median
    expect(rows[0]?.relativeBrier).toBe(0);
  });

  it('returns no rows for a market nobody forecast', () => {
    expect(scoreForecasters(market, [])).toEqual([]);
  });
});

describe('scoreCrowd', () => {
  it("scores the market's own price path, time-averaged and final", () => {
    const prices = [
      { at: 0, probabilities: [0.5, 0.5] }, // 1 day at 0.5: Brier 0.25
      { at: DAY, probabilities: [0.8, 0.2] }, // 2 days at 0.8: Brier 0.04
      { at: 3 * DAY, probabilities: [0.95, 0.05] }, // 1 day at 0.95: Brier 0.0025
      { at: 5 * DAY, probabilities: [0.1, 0.9] }, // after the close: ignored
    ];
    const crowd = scoreCrowd(market, prices);
    // (0.25 * 1 + 0.04 * 2 + 0.0025 * 1) / 4 = 0.3325 / 4 = 0.083125
    expect(crowd?.timeAveragedBrier).toBeCloseTo(0.083125, 12);
    // (ln 0.5 + 2 ln 0.8 + ln 0.95) / 4
    expect(crowd?.timeAveragedLogScore).toBeCloseTo((Math.log(0.5) + 2 * Math.log(0.8) + Math.log(0.95)) / 4, 12);
    expect(crowd?.finalBrier).toBeCloseTo(0.0025, 12);
    expect(crowd?.finalLogScore).toBeCloseTo(Math.log(0.95), 12);
    expect(crowd?.marketId).toBe('m');
  });

  it('is null for an empty price path', () => {
    expect(scoreCrowd(market, [])).toBeNull();
  });
});
