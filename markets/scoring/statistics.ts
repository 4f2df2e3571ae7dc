/** The two-sided 90% normal quantile, z for a 90% interval. */
export const Z_90 = 1.6448536269514722;

/**
 * Wilson's score interval for a proportion of `successes` in `trials`, at the confidence of `z` (90% by default);
 * null for no trials. Unlike the normal approximation it stays inside [0, 1] and is not empty at 0 or n successes,
 * which is what a calibration bucket of three forecasts needs to look as uncertain as it is.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_90): readonly [lower: number, upper: number] | null {
  if (trials === 0) return null;
  const share = successes / trials;
  const z2 = z * z;
  const centre = (share + z2 / (2 * trials)) / (1 + z2 / trials);
  const halfWidth = (z / (1 + z2 / trials)) * Math.sqrt((share * (1 - share)) / trials + z2 / (4 * trials * trials));
  // At 0 or n successes the bound is exactly 0 or 1; the float arithmetic would leave it a hair inside.
  return [successes === 0 ? 0 : Math.max(0, centre - halfWidth), successes === trials ? 1 : Math.min(1, centre + halfWidth)];
}
