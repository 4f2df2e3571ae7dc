import { z } from 'zod';

/** How far a probability vector's sum may stray from 1 (rounding in exports and in LMSR prices). */
export const PROBABILITY_SUM_TOLERANCE = 1e-6;

const epochMs = z.int().nonnegative();

/** One probability per outcome, in outcome order, summing to 1. */
export const ProbabilityVectorSchema = z
  .array(z.number().min(0).max(1))
  .min(2)
  .refine((probabilities) => Math.abs(probabilities.reduce((sum, p) => sum + p, 0) - 1) <= PROBABILITY_SUM_TOLERANCE, {
    message: `probabilities must sum to 1 (within ${PROBABILITY_SUM_TOLERANCE})`,
  });

/** See FORECAST_DEFINITION in definitions.ts for what counts as a forecast. */
export const ForecastSchema = z.object({
  userId: z.string().min(1),
  marketId: z.string().min(1),
  at: epochMs,
  probabilities: ProbabilityVectorSchema,
});

/**
 * A resolved market, the only kind that is scored. There is deliberately no status field and `resolvedOutcome`
 * is required: a cancelled or unresolved market cannot be expressed, so callers leave those markets out.
 */
export const ScoredMarketSchema = z
  .object({
    marketId: z.string().min(1),
    outcomes: z.array(z.string()).min(2),
    openedAt: epochMs,
    /** The end of the scoring window: when trading stopped. */
    closesAt: epochMs,
    /** Index into `outcomes` of the outcome that happened (for a resolution to a probability: the one it is filed under). */
    resolvedOutcome: z.int().nonnegative(),
    /**
     * Only for a resolution to a probability: each outcome's probability o_i, in outcome order. The scores then take
     * o = these (see SCORING_DEFINITIONS); without it the resolved outcome happened (o = 1 on it, 0 elsewhere).
     */
    resolvedProbabilities: ProbabilityVectorSchema.optional(),
  })
  .refine((market) => market.resolvedOutcome < market.outcomes.length, {
    message: 'resolvedOutcome must index an outcome',
    path: ['resolvedOutcome'],
  })
  .refine((market) => market.resolvedProbabilities === undefined || market.resolvedProbabilities.length === market.outcomes.length, {
    message: 'resolvedProbabilities must have one probability per outcome',
    path: ['resolvedProbabilities'],
  })
  .refine((market) => market.openedAt <= market.closesAt, {
    message: 'closesAt must not be before openedAt',
    path: ['closesAt'],
  });

/** The market price right after a trade (or at opening); it holds until the next point. */
export const PricePointSchema = z.object({
  at: epochMs,
  probabilities: ProbabilityVectorSchema,
});

/** What a market resolved to, as the scores take it: the outcome that happened, or each outcome's probability o_i. */
export type Resolved = number | readonly number[];

export function resolvedOf(market: Pick<ScoredMarket, 'resolvedOutcome' | 'resolvedProbabilities'>): Resolved {
  return market.resolvedProbabilities ?? market.resolvedOutcome;
}

/** o_i: 1 or 0 for an outcome that did or did not happen, its probability for a resolution to a probability. */
export function observedOf(resolved: Resolved, outcome: number): number {
  if (typeof resolved === 'number') return outcome === resolved ? 1 : 0;
  return resolved[outcome] ?? 0;
}

export type Forecast = z.infer<typeof ForecastSchema>;
export type ScoredMarket = z.infer<typeof ScoredMarketSchema>;
export type PricePoint = z.infer<typeof PricePointSchema>;

/** What forecasts and price points have in common: a probability vector that holds from `at` until replaced. */
export interface TimedProbabilities {
  readonly at: number;
  readonly probabilities: readonly number[];
}

/** Brier, log and their final-forecast versions for one probability path on one market. */
export interface PathScores {
  readonly timeAveragedBrier: number;
  readonly timeAveragedLogScore: number;
  readonly finalBrier: number;
  readonly finalLogScore: number;
}
