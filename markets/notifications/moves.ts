/** A move of one outcome's price, in probability. */
export interface PriceMove {
  outcome: number;
  from: number;
  to: number;
}

/** A move's size in millionths, so equal moves compare equal despite floating point. */
const size = (move: PriceMove): number => Math.round(Math.abs(move.to - move.from) * 1e6);

/** The largest change of any outcome's price from `before` to `after`; the first outcome of equal ones. */
export function largestMove(before: readonly number[], after: readonly number[]): PriceMove {
  let best: PriceMove = { outcome: 0, from: before[0] ?? 0, to: after[0] ?? 0 };
  after.forEach((to, outcome) => {
    const move = { outcome, from: before[outcome] ?? to, to };
    if (size(move) > size(best)) best = move;
  });
  return best;
}

/** Whether a change moved some price by at least `points` percentage points. */
export function isBigMove(before: readonly number[], after: readonly number[], points: number): boolean {
  // A move of exactly `points` counts.
  return points > 0 && size(largestMove(before, after)) >= Math.round(points * 1e4);
}

/**
 * The move within the window ending at `now`: from the price standing when the window opened (the last point at or
 * before it, else the first inside it) to the latest. Undefined when it is under `points`, or there is no history.
 */
export function moveWithin(
  history: readonly { at: number; prices: readonly number[] }[],
  now: number,
  windowMs: number,
  points: number,
): PriceMove | undefined {
  const start = now - windowMs;
  const upToNow = history.filter((point) => point.at <= now);
  const latest = upToNow.at(-1);
  if (latest === undefined) return undefined;
  const opening = upToNow.filter((point) => point.at <= start).at(-1) ?? upToNow.find((point) => point.at > start);
  if (opening === undefined || opening === latest) return undefined;
  return isBigMove(opening.prices, latest.prices, points) ? largestMove(opening.prices, latest.prices) : undefined;
}
