import { buildCalibrationTable, calibrationEntries, type CalibrationEntry, type CalibrationTable } from './calibration.ts';
import { appendTo, compareIds, groupBy } from './collections.ts';
import { scoreForecasters, type ForecasterMarketScore } from './market-scores.ts';
import { mean } from './statistics.ts';
import type { Forecast, ScoredMarket } from './types.ts';

export interface UserSummaryOptions {
  /** Profit per user from the ledger, carried into the row untouched; users it omits get null. */
  readonly profitByUser?: ReadonlyMap<string, number>;
  /** Number of equal-width calibration buckets; 10 when omitted. */
  readonly calibrationBucketCount?: number;
}

/** One user's record over every resolved market they forecast at or before its close. */
export interface UserSummary {
  readonly userId: string;
  readonly marketsForecast: number;
  /** Means over those markets of the per-market time-averaged scores. */
  readonly meanBrier: number;
  readonly meanLogScore: number;
  readonly meanRelativeBrier: number;
  /** Means over those markets of the final-forecast scores. */
  readonly meanFinalBrier: number;
  readonly meanFinalLogScore: number;
  readonly profit: number | null;
  readonly calibration: CalibrationTable;
}

/**
 * Summarises every user with at least one scored forecast, ordered by userId. Pass only resolved markets: forecasts
 * on markets not passed in (cancelled, unresolved) are ignored. Markets are processed in marketId order, so the
 * result does not depend on the order the markets arrive in.
 */
export function summariseUsers(
  markets: readonly ScoredMarket[],
  forecasts: readonly Forecast[],
  options: UserSummaryOptions = {},
): UserSummary[] {
  const forecastsByMarket = groupBy(forecasts, (forecast) => forecast.marketId);
  const scoresByUser = new Map<string, ForecasterMarketScore[]>();
  const calibrationByUser = new Map<string, CalibrationEntry[]>();

  for (const market of inMarketIdOrder(markets)) {
    const marketForecasts = forecastsByMarket.get(market.marketId) ?? [];
    for (const score of scoreForecasters(market, marketForecasts)) {
      appendTo(scoresByUser, score.userId, [score]);
    }
    for (const [userId, userForecasts] of groupBy(marketForecasts, (forecast) => forecast.userId)) {
      appendTo(calibrationByUser, userId, calibrationEntries(market, userForecasts));
    }
  }

  return [...scoresByUser]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([userId, scores]) => {
      const meanOf = (pick: (score: ForecasterMarketScore) => number) => mean(scores.map(pick));
      return {
        userId,
        marketsForecast: scores.length,
        meanBrier: meanOf((score) => score.timeAveragedBrier),
        meanLogScore: meanOf((score) => score.timeAveragedLogScore),
        meanRelativeBrier: meanOf((score) => score.relativeBrier),
        meanFinalBrier: meanOf((score) => score.finalBrier),
        meanFinalLogScore: meanOf((score) => score.finalLogScore),
        profit: options.profitByUser?.get(userId) ?? null,
        calibration: buildCalibrationTable(calibrationByUser.get(userId) ?? [], options.calibrationBucketCount),
      };
    });
}

function inMarketIdOrder(markets: readonly ScoredMarket[]): ScoredMarket[] {
  const sorted = markets.toSorted((a, b) => compareIds(a.marketId, b.marketId));
  sorted.forEach((market, index) => {
    if (index > 0 && sorted[index - 1]!.marketId === market.marketId) {
      throw new RangeError(`market ${market.marketId} was passed in twice`);
    }
  });
  return sorted;
}
