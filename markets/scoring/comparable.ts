import { brierScore } from './brier.ts';
import { sortByTime } from './collections.ts';
import { logScore } from './log-score.ts';
import { assertFitsMarket } from './market-fit.ts';
import { type Forecast, type Resolved, resolvedOf, type ScoredMarket } from './types.ts';

/** The scores that compare forecasters across markets of any size and any timing, for one forecaster on one market. */
export interface ComparableScores {
  /** Metaculus' baseline score: 100 (ln p + ln n) / ln n, time-averaged over the whole window; uniform scores 0. */
  readonly baselineScore: number;
  /** Metaculus' peer score: 100 (ln p - the mean of the others' ln p), time-averaged over the whole window. */
  readonly peerScore: number;
  /** Fatebook's relative Brier: Brier minus the median Brier of those forecasting then, over the time they forecast. */
  readonly relativeBrier: number;
  /** The share of the window in which the forecaster had a forecast standing. */
  readonly coverage: number;
}

/** Metaculus' baseline score of one probability vector: 0 for the uniform forecast on any number of outcomes. */
export function baselineScore(probabilities: readonly number[], resolved: Resolved): number {
  const lnN = Math.log(probabilities.length);
  return (100 * (logScore(probabilities, resolved) + lnN)) / lnN;
}

/** One forecaster's standing forecast and what it has earned so far. */
interface Standing {
  brier: number;
  log: number;
  baseline: number;
  since: number;
  /** The market-wide integrals when this forecast began to stand, so its share is one subtraction when it ends. */
  peerWeightAtStart: number;
  peerSumAtStart: number;
  medianAtStart: number;
  baselineIntegral: number;
  peerIntegral: number;
  relativeIntegral: number;
  covered: number;
}

/**
 * Baseline, peer and relative Brier scores of every forecaster on one resolved market, from one sweep through its
 * forecasts in commit order (time, then sequence). The window runs from openedAt to closesAt (the end of trading);
 * a window of zero length counts as one millisecond, so forecasts made at that instant are still scored.
 *
 * Coverage (as Metaculus): baseline and peer are averaged over the whole window, and time before a forecaster's first
 * forecast adds 0, so entering late forfeits the time missed. Peer compares, at each moment, a forecaster's log score
 * with the mean of the other forecasters' then (0 while nobody else has forecast). Relative Brier (as Fatebook) is
 * averaged over the time the forecaster had a forecast, against the median of everyone's Brier then, theirs included
 * (for a forecast made only at the end of the window: its Brier minus the median of the forecasts standing then).
 *
 * Each forecaster's share of a market-wide integral is taken as a difference of running totals, so the sweep costs
 * one step per forecast rather than one per forecaster per interval: a market with a thousand forecasters stays fast.
 */
export function scoreComparably(market: ScoredMarket, forecasts: readonly Forecast[]): Map<string, ComparableScores> {
  assertFitsMarket(forecasts, market);
  const start = market.openedAt;
  const end = Math.max(market.closesAt, start + 1);
  const length = end - start;
  const resolved = resolvedOf(market);
  const standing = new Map<string, Standing>();
  const briers: number[] = [];
  let logSum = 0;
  // Integrals over time of N/(N-1), of S/(N-1) (S the sum of the standing log scores, N how many stand) and of the median.
  let peerWeight = 0;
  let peerSum = 0;
  let medianIntegral = 0;
  let now = start;

  const advanceTo = (time: number) => {
    const held = time - now;
    const n = briers.length;
    if (held > 0 && n > 1) {
      peerWeight += (held * n) / (n - 1);
      peerSum += (held * logSum) / (n - 1);
    }
    if (held > 0 && n > 0) medianIntegral += held * sortedMedian(briers);
    now = time;
  };
  const close = (entry: Standing) => {
    const held = now - entry.since;
    entry.baselineIntegral += entry.baseline * held;
    entry.peerIntegral += entry.log * (peerWeight - entry.peerWeightAtStart) - (peerSum - entry.peerSumAtStart);
    entry.relativeIntegral += entry.brier * held - (medianIntegral - entry.medianAtStart);
    entry.covered += held;
  };
  const open = (entry: Standing) => {
    entry.since = now;
    entry.peerWeightAtStart = peerWeight;
    entry.peerSumAtStart = peerSum;
    entry.medianAtStart = medianIntegral;
  };

  for (const { userId, at, probabilities } of sortByTime(forecasts)) {
    if (at > market.closesAt) break;
    advanceTo(Math.max(at, start));
    const brier = brierScore(probabilities, resolved);
    const log = logScore(probabilities, resolved);
    const baseline = baselineScore(probabilities, resolved);
    let entry = standing.get(userId);
    if (entry) {
      close(entry);
      logSum -= entry.log;
      removeSorted(briers, entry.brier);
      Object.assign(entry, { brier, log, baseline });
    } else {
      entry = { brier, log, baseline, since: now, peerWeightAtStart: 0, peerSumAtStart: 0, medianAtStart: 0, baselineIntegral: 0, peerIntegral: 0, relativeIntegral: 0, covered: 0 };
      standing.set(userId, entry);
    }
    open(entry);
    logSum += log;
    insertSorted(briers, brier);
  }
  advanceTo(end);

  // A forecast made at the very end stood for no time: it is compared with the forecasts standing at the end.
  const medianAtEnd = sortedMedian(briers);
  const scores = new Map<string, ComparableScores>();
  for (const [userId, entry] of standing) {
    close(entry);
    scores.set(userId, {
      baselineScore: entry.baselineIntegral / length,
      peerScore: (100 * entry.peerIntegral) / length,
      relativeBrier: entry.covered === 0 ? entry.brier - medianAtEnd : entry.relativeIntegral / entry.covered,
      coverage: entry.covered / length,
    });
  }
  return scores;
}

function sortedMedian(sorted: readonly number[]): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The first index whose value is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value);
}

function removeSorted(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 1);
}
