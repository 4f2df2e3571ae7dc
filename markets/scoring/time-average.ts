import { sortByTime } from './collections.ts';
import type { ScoredMarket, TimedProbabilities } from './types.ts';

export type ScoringWindow = Pick<ScoredMarket, 'openedAt' | 'closesAt'>;

/** A probability vector and how long it held inside the scoring window. */
export interface HeldProbabilities {
  readonly probabilities: readonly number[];
  readonly heldForMs: number;
}

/** A path cut to the scoring window: what held for how long, and what stood at the close. */
export interface WindowedPath {
  readonly held: readonly HeldProbabilities[];
  readonly final: readonly number[];
}

/**
 * Cuts a forecaster's (or the market's) path to the scoring window. The window starts at the first point, not at
 * openedAt, so nobody is scored for the time before they first forecast; points after closesAt are dropped, and a
 * point before openedAt (bad data) only counts from openedAt. Null when nothing was said at or before closesAt.
 */
export function clipToWindow(path: readonly TimedProbabilities[], window: ScoringWindow): WindowedPath | null {
  const sorted = sortByTime(path);
  // Sorted, so the points at or before closesAt are a prefix; a loop rather than filter and map, since this runs
  // once per forecaster per market.
  let inWindow = 0;
  while (inWindow < sorted.length && sorted[inWindow]!.at <= window.closesAt) inWindow++;
  if (inWindow === 0) return null;
  const held: HeldProbabilities[] = new Array(inWindow);
  for (let index = 0; index < inWindow; index++) {
    const point = sorted[index]!;
    const heldFrom = Math.max(point.at, window.openedAt);
    const heldUntil = index + 1 < inWindow ? sorted[index + 1]!.at : window.closesAt;
    held[index] = { probabilities: point.probabilities, heldForMs: Math.max(0, heldUntil - heldFrom) };
  }
  return { held, final: sorted[inWindow - 1]!.probabilities };
}

/**
 * The score weighted by holding time. A window of zero length (the first forecast came at closesAt) has no time
 * to weight by, so it falls back to the final forecast's score rather than leaving a forecaster unscored.
 */
export function timeAverage(path: WindowedPath, score: (probabilities: readonly number[]) => number): number {
  let weightedSum = 0;
  let totalMs = 0;
  for (const { probabilities, heldForMs } of path.held) {
    weightedSum += score(probabilities) * heldForMs;
    totalMs += heldForMs;
  }
  return totalMs === 0 ? score(path.final) : weightedSum / totalMs;
}
