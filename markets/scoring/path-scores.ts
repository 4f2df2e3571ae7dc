import { brierScore } from './brier.ts';
import { sortByTime } from './collections.ts';
import { logScore } from './log-score.ts';
import { assertFitsMarket } from './market-fit.ts';
import { heldForMs, pointsInWindow } from './time-average.ts';
import { type PathScores, resolvedOf, type ScoredMarket, type TimedProbabilities } from './types.ts';

/**
 * Scores one path of probabilities on a resolved market: a user's forecasts or the market's own prices, which is
 * why users and the crowd are scored by exactly the same arithmetic. Null when nothing was said by closesAt.
 *
 * Each score is averaged over the time its probabilities held in the window. A window of zero length (the first
 * forecast came at closesAt) has no time to weight by, so the average falls back to the final forecast's score
 * rather than leaving a forecaster unscored.
 */
export function scorePath(path: readonly TimedProbabilities[], market: ScoredMarket): PathScores | null {
  assertFitsMarket(path, market);
  const sorted = sortByTime(path);
  const inWindow = pointsInWindow(sorted, market);
  if (inWindow === 0) return null;
  const resolved = resolvedOf(market);
  // One pass for both scores, with no object per point: this runs once per forecaster per market, a million
  // forecasts in all on a large server.
  let brierSum = 0;
  let logSum = 0;
  let totalMs = 0;
  for (let index = 0; index < inWindow; index++) {
    const { probabilities } = sorted[index]!;
    const held = heldForMs(sorted, index, inWindow, market);
    brierSum += brierScore(probabilities, resolved) * held;
    logSum += logScore(probabilities, resolved) * held;
    totalMs += held;
  }
  const final = sorted[inWindow - 1]!.probabilities;
  const finalBrier = brierScore(final, resolved);
  const finalLogScore = logScore(final, resolved);
  return {
    timeAveragedBrier: totalMs === 0 ? finalBrier : brierSum / totalMs,
    timeAveragedLogScore: totalMs === 0 ? finalLogScore : logSum / totalMs,
    finalBrier,
    finalLogScore,
  };
}
