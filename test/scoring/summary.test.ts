import { describe, expect, it } from 'vitest';
import { summariseUsers, type Forecast, type ScoredMarket } from '../../markets/scoring/index.ts';
import { binaryMarket, DAY, yes } from './fixtures.ts';

const binary = binaryMarket('a-binary', 4); // days 0-4, Yes happened
const threeWay: ScoredMarket = {
  marketId: 'b-three-way',
  outcomes: ['A', 'B', 'C'],
  openedAt: 0,
  closesAt: 2 * DAY,
  resolvedOutcome: 0,
};

const forecasts: Forecast[] = [
  yes('bob', 'a-binary', 2, 0.5),
  yes('alice', 'a-binary', 0, 0.6),
  yes('alice', 'a-binary', 1, 0.9),
  { userId: 'alice', marketId: 'b-three-way', at: 0, probabilities: [0.5, 0.25, 0.25] },
  yes('carol', 'cancelled-market', 0, 0.9), // its market is not passed in, as cancelled markets never are
  yes('dave', 'a-binary', 6, 0.9), // after the close
];

describe('summariseUsers', () => {
  const rows = summariseUsers([binary, threeWay], forecasts, {
    profitByUser: new Map([
      ['alice', 120],
      ['carol', -40],
    ]),
  });

  it('has one row per user with a scored forecast, ordered by userId', () => {
    expect(rows.map((row) => row.userId)).toEqual(['alice', 'bob']);
  });

  it("averages alice's per-market scores", () => {
    const alice = rows[0]!;
    expect(alice.marketsForecast).toBe(2);
    // a-binary: time-averaged Brier (0.16 * 1 + 0.01 * 3) / 4 = 0.0475, final 0.01
    // b-three-way: (0.5 - 1)^2 + 0.25^2 + 0.25^2 = 0.25 + 0.0625 + 0.0625 = 0.375, final the same
    // mean Brier (0.0475 + 0.375) / 2 = 0.21125; mean final Brier (0.01 + 0.375) / 2 = 0.1925
    expect(alice.meanBrier).toBeCloseTo(0.21125, 12);
    expect(alice.meanFinalBrier).toBeCloseTo(0.1925, 12);
    // log: a-binary (ln 0.6 + 3 ln 0.9) / 4, b-three-way ln 0.5
    expect(alice.meanLogScore).toBeCloseTo(((Math.log(0.6) + 3 * Math.log(0.9)) / 4 + Math.log(0.5)) / 2, 12);
    expect(alice.meanFinalLogScore).toBeCloseTo((Math.log(0.9) + Math.log(0.5)) / 2, 12);
    // relative, per interval: a-binary days 0-2 alice alone (0); days 2-4 alice 0.01 and bob 0.25, median 0.13:
    //   alice (0.01 - 0.13) * 2 days / 4 days = -0.06; b-three-way alice alone: 0. Mean (-0.06 + 0) / 2 = -0.03
    expect(alice.meanRelativeBrier).toBeCloseTo(-0.03, 12);
    expect(alice.profit).toBe(120);
  });

  it("builds alice's calibration table from every forecast on the scored markets", () => {
    // a-binary (Yes happened): 0.6 -> bucket 6, 0.9 -> bucket 9, both happened
    // b-three-way (A happened): 0.5 -> bucket 5 happened; 0.25 and 0.25 -> bucket 2, neither happened
    const table = rows[0]!.calibration;
    expect(table.map((bucket) => bucket.count)).toEqual([0, 0, 2, 0, 0, 1, 1, 0, 0, 1]);
    expect(table[2]).toMatchObject({ meanForecast: 0.25, observedFrequency: 0 });
    expect(table[5]).toMatchObject({ meanForecast: 0.5, observedFrequency: 1 });
  });

  it('gives bob the other side of the median and a profit of 0 when the ledger has none', () => {
    const bob = rows[1]!;
    // 0.5 held from day 2: Brier 0.25; relative over his days 2-4: 0.25 - 0.13 = 0.12
    expect(bob.marketsForecast).toBe(1);
    expect(bob.meanBrier).toBeCloseTo(0.25, 12);
    expect(bob.meanRelativeBrier).toBeCloseTo(0.12, 12);
    expect(bob.profit).toBe(0);
  });

  it('honours the calibration bucket count', () => {
    // width 0.25: 0.25, 0.25 -> [0.25, 0.5); 0.5, 0.6 -> [0.5, 0.75); 0.9 -> [0.75, 1]
    const [alice] = summariseUsers([binary, threeWay], forecasts, { calibrationBucketCount: 4 });
    expect(alice?.calibration.map((bucket) => bucket.count)).toEqual([0, 2, 2, 1]);
  });

  it('does not depend on the order markets and forecasts arrive in', () => {
    const shuffled = summariseUsers([threeWay, binary], forecasts.toReversed(), {
      profitByUser: new Map([['alice', 120]]),
    });
    expect(shuffled).toEqual(rows);
  });

  it('refuses a market passed twice', () => {
    expect(() => summariseUsers([binary, binary], forecasts)).toThrow(RangeError);
  });
});
