/** One outcome of a condition, with what the market says of the claim if the condition comes out that way. */
export interface Branch {
  /** The condition market's price of this outcome. */
  conditionPrice: number;
  /** The conditional market's price of the claim's first outcome: P(claim | condition = this outcome). */
  claimPrice: number;
}

/**
 * Crux strength: the expected absolute change in the claim's probability once the condition is learned,
 * Σ_j P(cond = j) · |P(claim | cond = j) − P(claim)|, weighted by the condition's current prices. It is zero when
 * the claim does not depend on the condition (every conditional price equals the claim's), and at most 1. Outcomes
 * without a live conditional add nothing, so a half-built crux reads weaker rather than stronger.
 */
export function cruxStrength(claimPrice: number, branches: readonly Branch[]): number {
  return branches.reduce((sum, branch) => sum + branch.conditionPrice * Math.abs(branch.claimPrice - claimPrice), 0);
}
