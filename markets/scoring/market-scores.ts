import { compareIds, groupBy } from './collections.ts';
import { scorePath } from './path-scores.ts';
import { median } from './statistics.ts';
import type { Forecast, PathScores, PricePoint, ScoredMarket } from './types.ts';

/** One forecaster's scores on one resolved market. */
export interface ForecasterMarketScore extends PathScores {
  readonly userId: string;
  readonly marketId: string;
  /** Time-averaged Brier minus the median of all forecasters' time-averaged Brier here; negative is better. */
  readonly relativeBrier: number;
}

/** The market's own price path scored as if it were one forecaster. */
export interface CrowdMarketScore extends PathScores {
  readonly marketId: string;
}

/**
 * Scores everyone who forecast this market at or before closesAt, ordered by userId. Forecasts on other markets are
 * ignored, so the whole forecast list can be passed in.
 */
export function scoreForecasters(market: ScoredMarket, forecasts: readonly Forecast[]): ForecasterMarketScore[] {
  const onThisMarket = forecasts.filter((forecast) => forecast.marketId === market.marketId);
  const byUser = [...groupBy(onThisMarket, (forecast) => forecast.userId)].sort(([a], [b]) => compareIds(a, b));
  const scored = byUser.flatMap(([userId, userForecasts]) => {
    const scores = scorePath(userForecasts, market);
    return scores ? [{ userId, scores }] : [];
  });
  const medianBrier = median(scored.map(({ scores }) => scores.timeAveragedBrier));
  return scored.map(({ userId, scores }) => ({
    userId,
    marketId: market.marketId,
    ...scores,
    relativeBrier: scores.timeAveragedBrier - medianBrier,
  }));
}

/** The crowd's scores from the market's price path; null if the path has no point at or before closesAt. */
export function scoreCrowd(market: ScoredMarket, pricePath: readonly PricePoint[]): CrowdMarketScore | null {
  const scores = scorePath(pricePath, market);
  return scores ? { marketId: market.marketId, ...scores } : null;
}
