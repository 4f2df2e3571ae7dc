import { matchLabels } from './outcome.ts';
import type { OutsideOdd } from './types.ts';

/** Tolerance on the sum of a platform's probabilities: prices and rounding rarely add to exactly one. */
const SUM_TOLERANCE = 0.05;

/**
 * A platform's odds in our market's outcome order, or null when they do not map one to one: every one of our outcomes
 * must match exactly one of the platform's labels (ignoring case and spacing, so "YES" finds "Yes"), the platform may
 * have no others, and its probabilities must add up to one. A shape Crux cannot map shows nothing rather than a
 * wrong number.
 */
export function mapOdds(odds: readonly OutsideOdd[], marketOutcomes: readonly string[]): number[] | null {
  const matched = matchLabels(odds.map((odd) => odd.label), marketOutcomes);
  if (matched === null) return null;
  const mapped = matched.map((index) => odds[index]?.probability ?? Number.NaN);
  const total = mapped.reduce((sum, p) => sum + p, 0);
  return Math.abs(total - 1) <= SUM_TOLERANCE ? mapped : null;
}

/** One platform's probabilities for a market's outcomes at one moment. */
export interface OutsideReading {
  /** The platform: manifold, metaculus or polymarket. */
  kind: string;
  at: number;
  /** In the market's outcome order. */
  probabilities: number[];
}
