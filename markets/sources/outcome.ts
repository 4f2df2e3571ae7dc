import { formatProbability } from './format.ts';
import type { SourceCheck } from './types.ts';

export type MarketOutcomeMapping =
  /** With `percents`, a resolution to a probability: each outcome's whole percent, in the market's outcome order. */
  | { readonly kind: 'outcome'; readonly outcomeIndex: number; readonly percents?: readonly number[] }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * What a check means for one of our markets. Only a platform outcome that names exactly one of the market's outcomes
 * (ignoring case and spacing, so "YES" finds "Yes") or a platform cancellation ever maps; everything else is a reason
 * for a moderator to read.
 */
export function mapToMarketOutcome(check: SourceCheck, marketOutcomes: readonly string[]): MarketOutcomeMapping {
  switch (check.kind) {
    case 'outcome':
      return matchOutcomeLabel(check.label, marketOutcomes);
    case 'cancel':
      return { kind: 'cancel' };
    case 'pending':
      return none(`The source has not resolved yet: ${check.detail}`);
    case 'probability':
      return matchProbability(check.probability, marketOutcomes);
    case 'manual':
      return none(`${check.detail} A moderator decides.`);
    case 'evidence':
      return none('A plain link never resolves a market by itself; a moderator reads it.');
    case 'error':
      return none(`The source could not be checked: ${check.message}`);
  }
}

/** Whether the platform has finished with the question, so polling can stop. */
export function isTerminalCheck(check: SourceCheck): boolean {
  return check.kind === 'outcome' || check.kind === 'cancel' || check.kind === 'probability' || check.kind === 'manual';
}

function matchOutcomeLabel(label: string, marketOutcomes: readonly string[]): MarketOutcomeMapping {
  const wanted = normaliseLabel(label);
  const matches = marketOutcomes.flatMap((outcome, index) => (normaliseLabel(outcome) === wanted ? [index] : []));
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return { kind: 'outcome', outcomeIndex: only };
  if (matches.length > 1) return none(`The source says "${label}", which matches several of this market's outcomes.`);
  return none(`The source says "${label}", which is none of this market's outcomes (${marketOutcomes.join(', ')}).`);
}

/**
 * A platform's resolution to a probability of its YES maps onto a market of exactly two outcomes, Yes and No (by
 * name, as outcomes do), in whole percents: YES gets the probability rounded to the nearest percent, NO the rest.
 */
function matchProbability(probability: number, marketOutcomes: readonly string[]): MarketOutcomeMapping {
  const yes = marketOutcomes.findIndex((outcome) => normaliseLabel(outcome) === 'yes');
  const no = marketOutcomes.findIndex((outcome) => normaliseLabel(outcome) === 'no');
  if (marketOutcomes.length !== 2 || yes === -1 || no === -1) {
    return none(`The source resolved to a probability (${formatProbability(probability)}) of YES, and this market's outcomes are not Yes and No; a moderator decides.`);
  }
  const percents = [0, 0];
  percents[yes] = Math.round(probability * 100);
  percents[no] = 100 - (percents[yes] ?? 0);
  return { kind: 'outcome', outcomeIndex: yes, percents };
}

/**
 * For each of our outcomes, the index of the one platform label that names it (ignoring case and spacing), or null
 * unless they match one to one: every outcome exactly one label, and no label left over.
 */
export function matchLabels(labels: readonly string[], marketOutcomes: readonly string[]): number[] | null {
  if (labels.length !== marketOutcomes.length) return null;
  const matched: number[] = [];
  for (const outcome of marketOutcomes) {
    const matches = labels.flatMap((label, index) => (normaliseLabel(label) === normaliseLabel(outcome) ? [index] : []));
    const [only] = matches;
    if (only === undefined || matches.length !== 1) return null;
    matched.push(only);
  }
  return matched;
}

export function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

function none(reason: string): MarketOutcomeMapping {
  return { kind: 'none', reason };
}
