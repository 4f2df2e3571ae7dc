import { brierScore } from './brier.ts';
import { logScore } from './log-score.ts';
import { assertFitsMarket } from './market-fit.ts';
import { clipToWindow, timeAverage } from './time-average.ts';
import type { PathScores, ScoredMarket, TimedProbabilities } from './types.ts';

/**
 * Scores one path of probabilities on a resolved market: a user's forecasts or the market's own prices, which is
 * why users and the crowd are scored by exactly the same arithmetic. Null when nothing was said by closesAt.
 */
export function scorePath(path: readonly TimedProbabilities[], market: ScoredMarket): PathScores | null {
  assertFitsMarket(path, market);
  const windowed = clipToWindow(path, market);
  if (!windowed) return null;
  const brier = (probabilities: readonly number[]) => brierScore(probabilities, market.resolvedOutcome);
  const log = (probabilities: readonly number[]) => logScore(probabilities, market.resolvedOutcome);
  return {
    timeAveragedBrier: timeAverage(windowed, brier),
    timeAveragedLogScore: timeAverage(windowed, log),
    finalBrier: brier(windowed.final),
    finalLogScore: log(windowed.final),
  };
}
