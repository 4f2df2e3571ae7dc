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
  const { resolvedOutcome } = market;
  // The scorers are passed inline rather than named: tsx names every named closure it compiles (keepNames), which
  // costs more than the arithmetic when a million forecasts are scored.
  return {
    timeAveragedBrier: timeAverage(windowed, (probabilities) => brierScore(probabilities, resolvedOutcome)),
    timeAveragedLogScore: timeAverage(windowed, (probabilities) => logScore(probabilities, resolvedOutcome)),
    finalBrier: brierScore(windowed.final, resolvedOutcome),
    finalLogScore: logScore(windowed.final, resolvedOutcome),
  };
}
