import type { ScoredMarket, TimedProbabilities } from './types.ts';

export type ScoringWindow = Pick<ScoredMarket, 'openedAt' | 'closesAt'>;

/**
 * How many points of a time-ordered path were said at or before closesAt: they are a prefix, the rest is dropped.
 * Zero means nothing was said in time, and the path is not scored.
 */
export function pointsInWindow(sorted: readonly TimedProbabilities[], window: ScoringWindow): number {
  let inWindow = 0;
  while (inWindow < sorted.length && sorted[inWindow]!.at <= window.closesAt) inWindow++;
  return inWindow;
}

/**
 * How long point `index` of the first `inWindow` points held inside the window: until the next point, the last one
 * until closesAt. The window starts at the first point, not at openedAt, so nobody is scored for the time before
 * they first forecast; a point before openedAt (bad data) only counts from openedAt.
 */
export function heldForMs(sorted: readonly TimedProbabilities[], index: number, inWindow: number, window: ScoringWindow): number {
  const heldFrom = Math.max(sorted[index]!.at, window.openedAt);
  const heldUntil = index + 1 < inWindow ? sorted[index + 1]!.at : window.closesAt;
  return Math.max(0, heldUntil - heldFrom);
}
