import type { Forecast, ScoredMarket } from '../../markets/scoring/index.ts';

export const DAY = 86_400_000;

/** A binary market open for `days` days from t = 0, resolved to the first outcome unless told otherwise. */
export function binaryMarket(marketId: string, days: number, resolvedOutcome = 0): ScoredMarket {
  return { marketId, outcomes: ['Yes', 'No'], openedAt: 0, closesAt: days * DAY, resolvedOutcome };
}

/** A binary forecast: `yes` is the probability of the first outcome. */
export function yes(userId: string, marketId: string, day: number, yesProbability: number): Forecast {
  return { userId, marketId, at: day * DAY, probabilities: [yesProbability, 1 - yesProbability] };
}
