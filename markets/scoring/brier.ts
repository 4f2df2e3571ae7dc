import { observedOf, type Resolved } from './types.ts';

/**
 * Brier score of one probability vector against the outcome that happened (o_i = 1 on it, 0 elsewhere) or, for a
 * resolution to a probability, against o_i = that probability; lower is better.
 *
 * Which form applies: with exactly 2 outcomes the one-outcome form (p - o)^2 in [0, 1], p being the probability of
 * the first outcome, because that is the Brier score forecasters know from binary questions (0.25 for a coin flip).
 * With 3 or more outcomes the original multi-outcome form, the sum over outcomes of (p_i - o_i)^2, in [0, 2]; on a
 * binary market it would be exactly twice the one-outcome form, which is why binary markets do not use it.
 */
export function brierScore(probabilities: readonly number[], resolved: Resolved): number {
  if (probabilities.length === 2) {
    return squaredError(probabilities[0]!, observedOf(resolved, 0));
  }
  return probabilities.reduce((sum, p, outcome) => sum + squaredError(p, observedOf(resolved, outcome)), 0);
}

function squaredError(probability: number, observed: number): number {
  const error = probability - observed;
  return error * error;
}
