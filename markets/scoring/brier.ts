/**
 * Brier score of one probability vector against the outcome that happened; lower is better.
 *
 * Which form applies: with exactly 2 outcomes the one-outcome form (p - o)^2 in [0, 1], p being the probability of
 * the first outcome, because that is the Brier score forecasters know from binary questions (0.25 for a coin flip).
 * With 3 or more outcomes the original multi-outcome form, the sum over outcomes of (p_i - o_i)^2, in [0, 2]; on a
 * binary market it would be exactly twice the one-outcome form, which is why binary markets do not use it.
 */
export function brierScore(probabilities: readonly number[], resolvedOutcome: number): number {
  if (probabilities.length === 2) {
    return squaredError(probabilities[0]!, resolvedOutcome === 0);
  }
  return probabilities.reduce((sum, p, outcome) => sum + squaredError(p, outcome === resolvedOutcome), 0);
}

function squaredError(probability: number, happened: boolean): number {
  const error = probability - (happened ? 1 : 0);
  return error * error;
}
