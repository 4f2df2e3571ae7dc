import type { Resolved } from './types.ts';

/**
 * The smallest probability the log score uses: certainty on the wrong outcome then costs ln(1e-9) = -20.72,
 * a large but finite penalty, so one such forecast cannot turn a user's mean into -Infinity.
 */
export const LOG_SCORE_EPSILON = 1e-9;

/**
 * Natural log of the probability given to the outcome that happened: <= 0, and 0 is best. For a resolution to a
 * probability, the expected log score: sum over outcomes of o_i ln q_i (outcomes with o_i = 0 add nothing).
 */
export function logScore(probabilities: readonly number[], resolved: Resolved): number {
  if (typeof resolved === 'number') return clampedLog(probabilities[resolved]!);
  return resolved.reduce((sum, observed, outcome) => (observed === 0 ? sum : sum + observed * clampedLog(probabilities[outcome]!)), 0);
}

function clampedLog(probability: number): number {
  // The upper clamp absorbs prices that float arithmetic left a hair above 1, keeping the score <= 0.
  return Math.log(Math.min(1, Math.max(LOG_SCORE_EPSILON, probability)));
}
