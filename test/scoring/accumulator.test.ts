import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCalibrationTable,
  calibrationEntries,
  type CalibrationEntry,
  type Forecast,
  scoreForecasters,
  type ScoredMarket,
  summariseUsers,
  type UserSummary,
  UserSummaryAccumulator,
} from '../../markets/scoring/index.ts';
import { binaryMarket, DAY, yes } from './fixtures.ts';

/**
 * The summary as it was computed before the accumulator, holding every forecast and every calibration entry: the
 * oracle the streaming fold must equal exactly (toStrictEqual, not toBeCloseTo), but for the calibration tables'
 * sums of probabilities, which the fold adds per market first (expectSameSummaries).
 */
function summariseHoldingEverything(markets: readonly ScoredMarket[], forecasts: readonly Forecast[], bucketCount?: number): UserSummary[] {
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const scores = new Map<string, ReturnType<typeof scoreForecasters>>();
  const entries = new Map<string, CalibrationEntry[]>();
  for (const market of markets.toSorted((a, b) => byId(a.marketId, b.marketId))) {
    const onMarket = forecasts.filter((forecast) => forecast.marketId === market.marketId);
    for (const score of scoreForecasters(market, onMarket)) scores.set(score.userId, [...(scores.get(score.userId) ?? []), score]);
    for (const userId of new Set(onMarket.map((forecast) => forecast.userId))) {
      const own = calibrationEntries(market, onMarket.filter((forecast) => forecast.userId === userId));
      entries.set(userId, [...(entries.get(userId) ?? []), ...own]);
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return [...scores]
    .sort(([a], [b]) => byId(a, b))
    .map(([userId, own]) => ({
      userId,
      marketsForecast: own.length,
      meanBrier: mean(own.map((score) => score.timeAveragedBrier)),
      meanLogScore: mean(own.map((score) => score.timeAveragedLogScore)),
      meanRelativeBrier: mean(own.map((score) => score.relativeBrier)),
      meanFinalBrier: mean(own.map((score) => score.finalBrier)),
      meanFinalLogScore: mean(own.map((score) => score.finalLogScore)),
      meanBaselineScore: mean(own.map((score) => score.baselineScore)),
      meanPeerScore: mean(own.map((score) => score.peerScore)),
      meanCoverage: mean(own.map((score) => score.coverage)),
      profit: 0,
      calibration: buildCalibrationTable(entries.get(userId) ?? [], bucketCount),
    }));
}

/** Feeds markets one at a time in marketId order, each with its forecasts in stored order, as the database streams them. */
function summariseStreaming(markets: readonly ScoredMarket[], forecasts: readonly Forecast[], bucketCount?: number): UserSummary[] {
  const accumulator = new UserSummaryAccumulator(bucketCount === undefined ? {} : { calibrationBucketCount: bucketCount });
  for (const market of markets.toSorted((a, b) => (a.marketId < b.marketId ? -1 : 1))) {
    accumulator.addMarket(market, forecasts.filter((forecast) => forecast.marketId === market.marketId));
  }
  return accumulator.summaries();
}

const MARKET_IDS = ['m-a', 'm-b', 'm-c', 'm-d'];
const USERS = ['ann', 'ben', 'cy', 'dee', 'eve'];

const scoredMarket = (marketId: string) =>
  fc.integer({ min: 2, max: 4 }).chain((outcomes) =>
    fc.record({
      marketId: fc.constant(marketId),
      outcomes: fc.constant(Array.from({ length: outcomes }, (_, k) => `o${k}`)),
      openedAt: fc.integer({ min: 0, max: 10 * DAY }),
      closesAt: fc.integer({ min: 10 * DAY, max: 20 * DAY }),
      resolvedOutcome: fc.nat({ max: outcomes - 1 }),
    }),
  );

/** Some resolved markets (each id once, in any order) and forecasts on them and on markets left out. */
const history = fc
  .subarray(MARKET_IDS, { minLength: 1 })
  .chain((ids) => fc.tuple(...ids.map(scoredMarket)))
  .chain((markets) => {
    const outcomesOf = new Map(markets.map((market) => [market.marketId, market.outcomes.length]));
    const forecast = fc.constantFrom(...MARKET_IDS).chain((marketId) =>
      fc.record({
        userId: fc.constantFrom(...USERS),
        marketId: fc.constant(marketId),
        // Some after the close and some at equal times, where the later record must win.
        at: fc.integer({ min: 0, max: 22 * DAY }).map((at) => at - (at % (DAY / 4))),
        probabilities: fc
          .array(fc.integer({ min: 1, max: 100 }), { minLength: outcomesOf.get(marketId) ?? 2, maxLength: outcomesOf.get(marketId) ?? 2 })
          .map((weights) => weights.map((weight) => weight / weights.reduce((sum, w) => sum + w, 0))),
      }),
    );
    return fc.record({ markets: fc.shuffledSubarray(markets, { minLength: markets.length }), forecasts: fc.array(forecast, { maxLength: 40 }) });
  });

/** Equal scores and calibration counts exactly; the calibration's mean forecasts and intervals to rounding. */
function expectSameSummaries(actual: UserSummary[], expected: UserSummary[]): void {
  const withoutTables = (rows: UserSummary[]) => rows.map(({ calibration: _calibration, ...row }) => row);
  expect(withoutTables(actual)).toStrictEqual(withoutTables(expected));
  actual.forEach((row, index) => {
    const table = expected[index]!.calibration;
    expect(row.calibration.map((bucket) => [bucket.count, bucket.observedFrequency])).toStrictEqual(table.map((bucket) => [bucket.count, bucket.observedFrequency]));
    row.calibration.forEach((bucket, k) => {
      if (bucket.meanForecast !== null) expect(bucket.meanForecast).toBeCloseTo(table[k]!.meanForecast!, 12);
    });
  });
}

describe('UserSummaryAccumulator', () => {
  it('folds market by market to exactly the rows of holding every forecast at once', () => {
    fc.assert(
      fc.property(history, fc.constantFrom(undefined, 4, 10), ({ markets, forecasts }, bucketCount) => {
        const expected = summariseHoldingEverything(markets, forecasts, bucketCount);
        expectSameSummaries(summariseStreaming(markets, forecasts, bucketCount), expected);
        expectSameSummaries(summariseUsers(markets, forecasts, bucketCount === undefined ? {} : { calibrationBucketCount: bucketCount }), expected);
      }),
    );
  });

  it("equals the oracle on summariseUsers' own fixture", () => {
    const markets: ScoredMarket[] = [
      binaryMarket('a-binary', 4),
      { marketId: 'b-three-way', outcomes: ['A', 'B', 'C'], openedAt: 0, closesAt: 2 * DAY, resolvedOutcome: 0 },
    ];
    const forecasts: Forecast[] = [
      yes('bob', 'a-binary', 2, 0.5),
      yes('alice', 'a-binary', 0, 0.6),
      yes('alice', 'a-binary', 1, 0.9),
      { userId: 'alice', marketId: 'b-three-way', at: 0, probabilities: [0.5, 0.25, 0.25] },
      yes('carol', 'cancelled-market', 0, 0.9),
      yes('dave', 'a-binary', 6, 0.9),
    ];
    expectSameSummaries(summariseStreaming(markets, forecasts), summariseHoldingEverything(markets, forecasts));
  });

  it('refuses a market out of marketId order, or twice, since the sums would then depend on the order', () => {
    const accumulator = new UserSummaryAccumulator();
    accumulator.addMarket(binaryMarket('m-b', 4), []);
    expect(() => accumulator.addMarket(binaryMarket('m-a', 4), [])).toThrow(RangeError);
    expect(() => accumulator.addMarket(binaryMarket('m-b', 4), [])).toThrow(RangeError);
  });
});
