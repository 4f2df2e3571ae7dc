/** Middle value, or the mean of the two middle values for an even count; NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  // A typed array sorts numerically without a comparator call per comparison; medians are taken once per market.
  const sorted = Float64Array.from(values).sort();
  const upperMiddle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[upperMiddle]!
    : (sorted[upperMiddle - 1]! + sorted[upperMiddle]!) / 2;
}
