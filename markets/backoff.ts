/**
 * How long to wait before trying again (a source's next check, a post Discord left unanswered): `baseMs` while all
 * is well, doubling with each consecutive error, never more than `maxMs`. Deterministic, so the caller (which owns the
 * clock) can add jitter if it wants.
 */
export function backoffDelay(consecutiveErrors: number, baseMs: number, maxMs: number): number {
  if (!Number.isInteger(consecutiveErrors) || consecutiveErrors < 0) {
    throw new RangeError(`consecutiveErrors must be a whole number ≥ 0, got ${consecutiveErrors}`);
  }
  if (!(baseMs > 0) || !(maxMs >= baseMs)) {
    throw new RangeError(`need 0 < baseMs ≤ maxMs, got baseMs ${baseMs} and maxMs ${maxMs}`);
  }
  // 2 ** n overflows to Infinity for large n, which the cap turns back into maxMs.
  return Math.min(maxMs, baseMs * 2 ** consecutiveErrors);
}
