import { compareIds, forecastsOnMarket, groupBy } from './collections.ts';
import { type ComparableScores, scoreComparably } from './comparable.ts';
import { scorePath } from './path-scores.ts';
import type { Forecast, PathScores, PricePoint, ScoredMarket } from './types.ts';

/** One forecaster's scores on one resolved market: what is stored per member and market when it settles. */
export interface ForecasterMarketScore extends PathScores, ComparableScores {
  readonly userId: string;
  readonly marketId: string;
}

/** The market's own price path scored as if it were one forecaster. */
export interface CrowdMarketScore extends PathScores {
  readonly marketId: string;
}

/**
 * Scores everyone who forecast this market at or before closesAt, ordered by userId. Forecasts on other markets are
 * ignored, so the whole forecast list can be passed in; on equal times they must come in commit order.
 */
export function scoreForecasters(market: ScoredMarket, forecasts: readonly Forecast[]): ForecasterMarketScore[] {
  return scoreForecasterPaths(market, forecastsOnMarket(forecasts, market.marketId))
    .toSorted((a, b) => compareIds(a.userId, b.userId))
    .map(({ userId, scores }) => ({ userId, marketId: market.marketId, ...scores }));
}

/** One forecaster's scores on a market, with the forecasts they were scored on. */
export interface ForecasterPathScores {
  readonly userId: string;
  readonly scores: PathScores & ComparableScores;
  readonly forecasts: readonly Forecast[];
}

/**
 * The scores of each user scored on this market, in the order users first forecast: what scoreForecasters reports,
 * without a sort by user for callers that only sum the scores. `forecasts` are this market's, in commit order.
 */
export function scoreForecasterPaths(market: ScoredMarket, forecasts: readonly Forecast[]): ForecasterPathScores[] {
  const comparable = scoreComparably(market, forecasts);
  const scored: ForecasterPathScores[] = [];
  for (const [userId, own] of groupBy(forecasts, (forecast) => forecast.userId)) {
    const path = scorePath(own, market);
    const against = comparable.get(userId);
    if (path && against) scored.push({ userId, scores: { ...path, ...against }, forecasts: own });
  }
  return scored;
}

/** The crowd's scores from the market's price path; null if the path has no point at or before closesAt. */
export function scoreCrowd(market: ScoredMarket, pricePath: readonly PricePoint[]): CrowdMarketScore | null {
  const scores = scorePath(pricePath, market);
  return scores ? { marketId: market.marketId, ...scores } : null;
}
