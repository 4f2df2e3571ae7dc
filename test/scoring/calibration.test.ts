import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCalibrationTable,
  calibrationBucketIndex,
  calibrationEntries,
  DEFAULT_CALIBRATION_BUCKET_COUNT,
  wilsonInterval,
} from '../../markets/scoring/index.ts';
import { binaryMarket, DAY, yes } from './fixtures.ts';

describe('buildCalibrationTable', () => {
  it('buckets p = 0 into the first bucket and p = 1 into the last, with boundaries starting their bucket', () => {
    const table = buildCalibrationTable([
      { probability: 0, happened: false },
      { probability: 0.1, happened: true }, // on the 0.1 boundary: bucket [0.1, 0.2)
      { probability: 0.3, happened: false }, // 0.3 * 10 is 3.0000000000000004 in floats: bucket [0.3, 0.4)
      { probability: 0.7, happened: true }, // 0.7 * 10 is 7.000000000000001: bucket [0.7, 0.8)
      { probability: 0.95, happened: false },
      { probability: 1, happened: true }, // floor(1 * 10) = 10 is past the end: the last bucket [0.9, 1]
    ]);
    expect(table).toHaveLength(DEFAULT_CALIBRATION_BUCKET_COUNT);
    expect(table.map((bucket) => bucket.count)).toEqual([1, 1, 0, 1, 0, 0, 0, 1, 0, 2]);
    // Wilson at 0 of 1: centre z^2/2 / (1 + z^2), half-width the same, so [0, z^2 / (1 + z^2)] with z = 1.6449
    const z2 = 1.6448536269514722 ** 2;
    expect(table[0]).toEqual({ lower: 0, upper: 0.1, count: 1, meanForecast: 0, observedFrequency: 0, intervalLower: 0, intervalUpper: expect.closeTo(z2 / (1 + z2), 12) });
    // last bucket: mean forecast (0.95 + 1) / 2 = 0.975, observed 1 of 2 = 0.5
    expect(table[9]?.meanForecast).toBeCloseTo(0.975, 12);
    expect(table[9]?.observedFrequency).toBe(0.5);
    expect(table[9]?.upper).toBe(1);
    // empty buckets are listed, with nulls rather than made-up numbers
    expect(table[2]).toEqual({ lower: 0.2, upper: 0.3, count: 0, meanForecast: null, observedFrequency: null, intervalLower: null, intervalUpper: null });
  });

  it('takes a configurable number of buckets', () => {
    // 4 buckets of width 0.25: 0.2 -> [0, 0.25), 0.25 and 0.3 -> [0.25, 0.5), 1 -> [0.75, 1]
    const table = buildCalibrationTable(
      [
        { probability: 0.2, happened: false },
        { probability: 0.25, happened: true },
        { probability: 0.3, happened: false },
        { probability: 1, happened: true },
      ],
      4,
    );
    expect(table.map((bucket) => [bucket.lower, bucket.upper, bucket.count])).toEqual([
      [0, 0.25, 1],
      [0.25, 0.5, 2],
      [0.5, 0.75, 0],
      [0.75, 1, 1],
    ]);
    // (0.25 + 0.3) / 2 = 0.275; 1 of 2 happened
    expect(table[1]?.meanForecast).toBeCloseTo(0.275, 12);
    expect(table[1]?.observedFrequency).toBe(0.5);
  });

  it('refuses a bucket count that is not a positive integer', () => {
    expect(() => buildCalibrationTable([], 0)).toThrow(RangeError);
    expect(() => buildCalibrationTable([], 2.5)).toThrow(RangeError);
  });

  it('puts every boundary i/k into the bucket that starts there (p = 1 into the last)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(), (bucketCount, seed) => {
        const boundary = seed % (bucketCount + 1);
        const index = calibrationBucketIndex(boundary / bucketCount, bucketCount);
        expect(index).toBe(Math.min(boundary, bucketCount - 1));
      }),
    );
  });

  it('puts every probability inside its reported bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (bucketCount, p) => {
        const table = buildCalibrationTable([{ probability: p, happened: true }], bucketCount);
        const bucket = table[calibrationBucketIndex(p, bucketCount)]!;
        expect(bucket.count).toBe(1);
        expect(p).toBeGreaterThanOrEqual(bucket.lower);
        if (bucket.upper < 1) expect(p).toBeLessThan(bucket.upper);
      }),
    );
  });
});

describe('calibrationEntries', () => {
  it('enters only the first outcome of binary forecasts, in time order, up to closesAt', () => {
    const market = binaryMarket('m', 4, 1); // No happened
    const entries = calibrationEntries(market, [
      yes('u', 'm', 2, 0.7),
      yes('u', 'm', 0, 0.4),
      yes('u', 'm', 5, 0.9), // after the close
      yes('u', 'other', 0, 0.9), // another market
    ]);
    expect(entries).toEqual([
      { probability: 0.4, happened: false },
      { probability: 0.7, happened: false },
    ]);
  });

  it('enters every outcome of multi-outcome forecasts (one-vs-rest)', () => {
    const market = { marketId: 't', outcomes: ['A', 'B', 'C'], openedAt: 0, closesAt: DAY, resolvedOutcome: 1 };
    const entries = calibrationEntries(market, [{ userId: 'u', marketId: 't', at: 0, probabilities: [0.2, 0.5, 0.3] }]);
    expect(entries).toEqual([
      { probability: 0.2, happened: false },
      { probability: 0.5, happened: true },
      { probability: 0.3, happened: false },
    ]);
  });
});

describe('wilsonInterval', () => {
  it('gives the 90% Wilson score interval, exact at the ends, and nothing for no trials', () => {
    // 3 of 4, z = 1.6449: centre (0.75 + z^2/8) / (1 + z^2/4), half-width z / (1 + z^2/4) * sqrt(0.75 * 0.25 / 4 + z^2/64)
    const z = 1.6448536269514722;
    const centre = (0.75 + z ** 2 / 8) / (1 + z ** 2 / 4);
    const half = (z / (1 + z ** 2 / 4)) * Math.sqrt((0.75 * 0.25) / 4 + z ** 2 / 64);
    const [lower, upper] = wilsonInterval(3, 4)!;
    expect(lower).toBeCloseTo(centre - half, 12);
    expect(upper).toBeCloseTo(centre + half, 12);
    expect(lower).toBeCloseTo(0.35617, 4);
    expect(upper).toBeCloseTo(0.94209, 4);
    expect(wilsonInterval(0, 5)?.[0]).toBe(0);
    expect(wilsonInterval(5, 5)?.[1]).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
