import { CruxError } from '../errors.ts';
import type { Market } from '../market.ts';
import { describeVerdict } from '../settlement/distribution.ts';

/** A market that trades on the assumption that another market of its realm resolves to one outcome. */
export interface Condition {
  /** The conditional market's key. */
  marketId: string;
  /** The key of the market it is conditional on. */
  conditionId: string;
  /** The outcome of the condition market it assumes. */
  outcome: number;
  /** For a crux pair: the key of the market whose question the conditional asks again, under the condition. */
  claimId: string | null;
}

/**
 * How many conditions may stand above a market: "if A: if B: if C: D?" is the deepest. Each level multiplies the
 * markets a settlement may cancel in one transaction, and a question nested deeper is hard to read in chat.
 */
export const MAX_CONDITION_DEPTH = 3;

/** The actor in whose name a condition's settlement cancels or reinstates its conditionals. */
export const CONDITION_RESOLVER = 'crux:condition';

/**
 * Refuses a condition that would make `marketId` depend on itself, directly or through others, or stand under more
 * than MAX_CONDITION_DEPTH conditions. Walks up from the proposed condition market.
 */
export function assertConditionAllowed(marketId: string, conditionId: string, conditionOf: (id: string) => Condition | undefined): void {
  const seen = new Set<string>([marketId]);
  let depth = 1;
  for (let current: string | undefined = conditionId; current !== undefined; current = conditionOf(current)?.conditionId) {
    if (seen.has(current)) throw new CruxError('invalid_input', 'A market cannot be conditional on itself, directly or through other markets.');
    seen.add(current);
    if (conditionOf(current) !== undefined) depth += 1;
  }
  if (depth > MAX_CONDITION_DEPTH) {
    throw new CruxError('invalid_input', `Conditions nest at most ${MAX_CONDITION_DEPTH} deep; that one would be ${depth}.`);
  }
}

/** Whether the market was cancelled by its condition's settlement (and not by a moderator). */
export function cancelledByCondition(market: Pick<Market, 'status' | 'resolution'>): boolean {
  return market.status === 'cancelled' && market.resolution?.decidedBy === CONDITION_RESOLVER;
}

function isSettled(market: Pick<Market, 'status'>): boolean {
  return market.status === 'resolved' || market.status === 'cancelled';
}

/** Whether the condition market's current state is the outcome the conditional assumes; a resolution to a probability is no certain outcome. */
export function conditionHeld(condition: Pick<Market, 'status' | 'resolution'>, outcome: number): boolean {
  return condition.status === 'resolved' && condition.resolution?.outcome === outcome && condition.resolution.probabilities === undefined;
}

/**
 * What a conditional's state must become when its condition market's state is what it is now: cancelled when the
 * condition settled otherwise (or was cancelled); put back where it was before it was cancelled ('reinstate') when
 * it was cancelled by its condition and the condition now holds or is unsettled again (a correction); else nothing.
 * A conditional a moderator cancelled stays cancelled.
 */
export function conditionalAction(
  condition: Pick<Market, 'status' | 'resolution'>,
  assumed: number,
  conditional: Pick<Market, 'status' | 'resolution'>,
): 'cancel' | 'reinstate' | 'none' {
  const failed = isSettled(condition) && !conditionHeld(condition, assumed);
  if (failed) return conditional.status === 'cancelled' ? 'none' : 'cancel';
  return cancelledByCondition(conditional) ? 'reinstate' : 'none';
}

/** A conditional is resolved to an outcome only once its condition has held; until then it can only be cancelled. */
export function assertConditionHeld(conditional: Pick<Market, 'slug'>, condition: Pick<Market, 'slug' | 'outcomes' | 'status' | 'resolution'>, assumed: number): void {
  if (conditionHeld(condition, assumed)) return;
  throw new CruxError(
    'market_not_closed',
    `\`${conditional.slug}\` is conditional on \`${condition.slug}\` resolving ${condition.outcomes[assumed] ?? '?'}; it can be resolved once that has happened.`,
  );
}

/** Why a conditional was cancelled, in the words its holders are told. */
export function conditionFailedReason(condition: Pick<Market, 'slug' | 'outcomes' | 'status' | 'resolution'>, assumed: number): string {
  const settled =
    condition.status === 'cancelled' || condition.resolution?.outcome == null
      ? 'was cancelled'
      : `resolved ${describeVerdict(condition.outcomes, { outcome: condition.resolution.outcome, probabilities: condition.resolution.probabilities })}`;
  return `Its condition \`${condition.slug}\` ${settled}, not ${condition.outcomes[assumed] ?? '?'}: every trade is refunded.`;
}
