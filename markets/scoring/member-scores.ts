import { CalibrationTallies, DEFAULT_CALIBRATION_BUCKET_COUNT, type SparseTallies } from './calibration.ts';
import { compareIds, forecastsOnMarket } from './collections.ts';
import { type ForecasterMarketScore, scoreForecasterPaths } from './market-scores.ts';
import type { Forecast, ScoredMarket } from './types.ts';

/** Everything kept per member and market when the market settles: the scores and the calibration tallies. */
export interface MemberMarketScore extends ForecasterMarketScore {
  readonly calibration: SparseTallies;
}

/**
 * Every member's scores and calibration tallies on one resolved market, ordered by userId: the rows stored when it
 * settles, and the rows a full recomputation must reproduce exactly. Forecasts on equal times come in commit order.
 */
export function scoreMarketMembers(
  market: ScoredMarket,
  forecasts: readonly Forecast[],
  bucketCount: number = DEFAULT_CALIBRATION_BUCKET_COUNT,
): MemberMarketScore[] {
  return scoreForecasterPaths(market, forecastsOnMarket(forecasts, market.marketId))
    .toSorted((a, b) => compareIds(a.userId, b.userId))
    .map(({ userId, scores, forecasts: own }) => {
      const tallies = new CalibrationTallies(bucketCount);
      tallies.addForecasts(market, own);
      return { userId, marketId: market.marketId, ...scores, calibration: tallies.sparse() };
    });
}
