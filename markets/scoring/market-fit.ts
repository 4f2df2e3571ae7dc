import type { ScoredMarket, TimedProbabilities } from './types.ts';

/**
 * A probability vector with the wrong number of entries would be scored against the wrong outcomes without any
 * arithmetic error, so the mismatch is refused loudly instead.
 */
export function assertFitsMarket(points: readonly TimedProbabilities[], market: ScoredMarket): void {
  for (const point of points) {
    if (point.probabilities.length !== market.outcomes.length) {
      throw new RangeError(
        `market ${market.marketId} has ${market.outcomes.length} outcomes, ` +
          `but the probabilities at ${point.at} have ${point.probabilities.length} entries`,
      );
    }
  }
}
