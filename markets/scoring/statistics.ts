/** Middle value, or the mean of the two middle values for an even count; NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.toSorted((a, b) => a - b);
  const upperMiddle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[upperMiddle]!
    : (sorted[upperMiddle - 1]! + sorted[upperMiddle]!) / 2;
}
