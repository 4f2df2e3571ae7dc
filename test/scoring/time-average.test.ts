import { describe, expect, it } from 'vitest';
import { heldForMs, pointsInWindow, scorePath } from '../../markets/scoring/index.ts';
import { binaryMarket, DAY, yes } from './fixtures.ts';

const market = binaryMarket('m', 4); // open day 0 to day 4, the first outcome (Yes) happened

describe('scorePath: time-averaged and final scores', () => {
  it('weights each forecast by how long it held: 0.6 for 1 day, then 0.9 for 3 days', () => {
    const scores = scorePath([yes('u', 'm', 0, 0.6), yes('u', 'm', 1, 0.9)], market);
    // Brier: 0.6 -> (0.6 - 1)^2 = 0.16 for 1 day; 0.9 -> (0.9 - 1)^2 = 0.01 for 3 days
    //   (0.16 * 1 + 0.01 * 3) / 4 = 0.19 / 4 = 0.0475
    expect(scores?.timeAveragedBrier).toBeCloseTo(0.0475, 12);
    // Log: (ln 0.6 * 1 + ln 0.9 * 3) / 4 = (-0.5108256 + 3 * -0.1053605) / 4 = -0.2067268
    expect(scores?.timeAveragedLogScore).toBeCloseTo((Math.log(0.6) + 3 * Math.log(0.9)) / 4, 12);
    expect(scores?.timeAveragedLogScore).toBeCloseTo(-0.2067268, 6);
    // Final: the 0.9 forecast: 0.01 and ln 0.9 = -0.1053605
    expect(scores?.finalBrier).toBeCloseTo(0.01, 12);
    expect(scores?.finalLogScore).toBeCloseTo(-0.1053605, 6);
  });

  it('starts the window at the first forecast, not at the opening', () => {
    // 0.8 from day 2 to 3, 0.5 from day 3 to 4; days 0-2 do not count:
    //   ((0.8 - 1)^2 * 1 + (0.5 - 1)^2 * 1) / 2 = (0.04 + 0.25) / 2 = 0.145
    const scores = scorePath([yes('u', 'm', 2, 0.8), yes('u', 'm', 3, 0.5)], market);
    expect(scores?.timeAveragedBrier).toBeCloseTo(0.145, 12);
  });

  it('ignores forecasts after closesAt, for the average and for the final forecast', () => {
    const inTime = [yes('u', 'm', 0, 0.6), yes('u', 'm', 1, 0.9)];
    const late = yes('u', 'm', 5, 0);
    expect(scorePath([...inTime, late], market)).toEqual(scorePath(inTime, market));
  });

  it('counts a forecast exactly at closesAt as the final forecast, held for no time', () => {
    // 0.6 holds all 4 days: Brier 0.16; the 0.1 at the close gets zero weight but is the final forecast: (0.1 - 1)^2 = 0.81
    const scores = scorePath([yes('u', 'm', 0, 0.6), yes('u', 'm', 4, 0.1)], market);
    expect(scores?.timeAveragedBrier).toBeCloseTo(0.16, 12);
    expect(scores?.finalBrier).toBeCloseTo(0.81, 12);
  });

  it('uses the final score when the only forecast came at closesAt (a window of zero length)', () => {
    const scores = scorePath([yes('u', 'm', 4, 0.7)], market);
    // (0.7 - 1)^2 = 0.09 for both
    expect(scores?.timeAveragedBrier).toBeCloseTo(0.09, 12);
    expect(scores?.finalBrier).toBeCloseTo(0.09, 12);
  });

  it('returns null when nothing was forecast at or before closesAt', () => {
    expect(scorePath([], market)).toBeNull();
    expect(scorePath([yes('u', 'm', 4.5, 0.7)], market)).toBeNull();
  });

  it('sorts by time, and on equal times the later forecast in the input holds', () => {
    // Two forecasts at day 0: 0.2 then 0.6; the 0.6 holds, so the whole window scores (0.6 - 1)^2 = 0.16
    const scores = scorePath([yes('u', 'm', 1, 0.6), yes('u', 'm', 0, 0.2), yes('u', 'm', 0, 0.6)], market);
    expect(scores?.timeAveragedBrier).toBeCloseTo(0.16, 12);
  });

  it('counts a forecast made before openedAt only from openedAt', () => {
    const lateOpening = { ...binaryMarket('m', 4), openedAt: 2 * DAY };
    // 0.5 stated at day 0 but the market opened at day 2; 0.9 from day 3.
    //   (0.25 * 1 + 0.01 * 1) / 2 = 0.13
    const scores = scorePath([yes('u', 'm', 0, 0.5), yes('u', 'm', 3, 0.9)], lateOpening);
    expect(scores?.timeAveragedBrier).toBeCloseTo(0.13, 12);
  });

  it('time-averages the multi-outcome Brier the same way', () => {
    const threeWay = { marketId: 't', outcomes: ['A', 'B', 'C'], openedAt: 0, closesAt: 4 * DAY, resolvedOutcome: 2 };
    const scores = scorePath(
      [
        { at: 0, probabilities: [1 / 3, 1 / 3, 1 / 3] },
        { at: 2 * DAY, probabilities: [0.2, 0.2, 0.6] },
      ],
      threeWay,
    );
    // uniform: (1/3)^2 + (1/3)^2 + (2/3)^2 = 6/9 = 0.6667 for 2 days
    // [0.2, 0.2, 0.6]: 0.04 + 0.04 + 0.16 = 0.24 for 2 days
    //   (0.6667 * 2 + 0.24 * 2) / 4 = 0.4533333
    expect(scores?.timeAveragedBrier).toBeCloseTo((2 / 3 + 0.24) / 2, 12);
    expect(scores?.finalBrier).toBeCloseTo(0.24, 12);
  });

  it('refuses probability vectors that do not match the market outcomes', () => {
    expect(() => scorePath([{ at: 0, probabilities: [0.2, 0.3, 0.5] }], market)).toThrow(RangeError);
  });
});

describe('the scoring window', () => {
  it('keeps the points said by the close and reports how long each held', () => {
    const sorted = [yes('u', 'm', 0, 0.6), yes('u', 'm', 1, 0.9), yes('u', 'm', 9, 0.1)];
    const inWindow = pointsInWindow(sorted, market);
    expect(inWindow).toBe(2);
    expect([0, 1].map((index) => heldForMs(sorted, index, inWindow, market))).toEqual([DAY, 3 * DAY]);
    expect(pointsInWindow([yes('u', 'm', 9, 0.1)], market)).toBe(0);
  });
});
