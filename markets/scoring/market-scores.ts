import { compareIds, forecastsOnMarket, groupBy } from './collections.ts';
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
  const onThisMarket = forecastsOnMarket(forecasts, market.marketId);
  const { scored, medianBrier } = scoreForecasterPaths(market, groupBy(onThisMarket, (forecast) => forecast.userId));
  return scored.toSorted((a, b) => compareIds(a.userId, b.userId)).map(({ userId, scores }) => ({
    userId,
    marketId: market.marketId,
    ...scores,
    relativeBrier: relativeBrier(scores, medianBrier),
  }));
}

/** One forecaster's path scores on a market, before they are compared with the others'. */
export interface ForecasterPathScores {
  readonly userId: string;
  readonly scores: PathScores;
  /** The forecasts they were scored on. */
  readonly forecasts: readonly Forecast[];
}

/**
 * The path scores of each user scored on this market, in the map's order, and the median of their time-averaged
 * Brier: what scoreForecasters reports, without an object per forecaster or a sort by user for callers that only
 * sum the scores. Each group holds one user's forecasts on this market.
 */
export function scoreForecasterPaths(
  market: ScoredMarket,
  forecastsByUser: ReadonlyMap<string, readonly Forecast[]>,
): { scored: ForecasterPathScores[]; medianBrier: number } {
  const scored: ForecasterPathScores[] = [];
  for (const [userId, forecasts] of forecastsByUser) {
    const scores = scorePath(forecasts, market);
    if (scores) scored.push({ userId, scores, forecasts });
  }
  return { scored, medianBrier: median(scored.map(({ scores }) => scores.timeAveragedBrier)) };
}

/** Time-averaged Brier minus the market's median; negative is better. */
export function relativeBrier(scores: PathScores, medianBrier: number): number {
  return scores.timeAveragedBrier - medianBrier;
}

/** The crowd's scores from the market's price path; null if the path has no point at or before closesAt. */
export function scoreCrowd(market: ScoredMarket, pricePath: readonly PricePoint[]): CrowdMarketScore | null {
  const scores = scorePath(pricePath, market);
  return scores ? { marketId: market.marketId, ...scores } : null;
}
