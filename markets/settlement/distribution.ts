import { CruxError } from '../errors.ts';
import { type Market, outcomeIndex } from '../market.ts';

/**
 * What a resolution says happened: the outcome it is filed under and, for a resolution to a probability, how much
 * each outcome's share pays, in whole percent per outcome (in outcome order, summing to 100). Without `probabilities`
 * the outcome is certain: its shares pay 100%, every other 0%. Whole percents keep the payouts integer arithmetic.
 */
export interface ResolvedTo {
  outcome: number;
  probabilities?: readonly number[] | undefined;
}

export const PERCENT = 100;

/** The percent of a credit one share of `outcome` pays under `resolved`. */
export function sharePercent(resolved: ResolvedTo, outcome: number): number {
  if (resolved.probabilities === undefined) return outcome === resolved.outcome ? PERCENT : 0;
  return resolved.probabilities[outcome] ?? 0;
}

/** Every outcome's percent, certain resolutions included, in outcome order: what is stored with a settlement. */
export function percentsOf(resolved: ResolvedTo, outcomeCount: number): number[] {
  return Array.from({ length: outcomeCount }, (_, outcome) => sharePercent(resolved, outcome));
}

/**
 * From stored percents back to a resolution: a distribution certain of one outcome is an ordinary resolution to it
 * (so it is scored and shown exactly as one), anything else a resolution to a probability filed under `outcome`.
 */
export function resolvedFromPercents(outcome: number, percents: readonly number[] | null): ResolvedTo {
  if (percents === null) return { outcome };
  const certain = percents.findIndex((percent) => percent === PERCENT);
  if (certain !== -1) return { outcome: certain };
  return { outcome, probabilities: [...percents] };
}

/** "Yes" for a certain resolution, "to Yes 70% · No 30%" for one to a probability: for cards and confirmations. */
export function describeVerdict(outcomes: readonly string[], resolved: ResolvedTo): string {
  if (resolved.probabilities === undefined) return outcomes[resolved.outcome] ?? '?';
  return `to ${outcomes.map((name, outcome) => `${name} ${sharePercent(resolved, outcome)}%`).join(' · ')}`;
}

/** How a moderator splits a resolution: the named outcome's probability (binary), or a probability per outcome. */
export interface ProbabilitySplit {
  /** The named outcome's probability in whole percent; binary markets only. */
  probability?: number | undefined;
  /** "A=50,B=30,C=20": every outcome named at most once, whole percents summing to 100; unnamed outcomes get 0. */
  probabilities?: string | undefined;
  /** Each outcome's whole percent in outcome order, as a source's verdict carries them. */
  percents?: readonly number[] | undefined;
}

/** What resolving to `outcome` split as asked resolves to, refusing in words anything that does not add up. */
export function resolvedFromSplit(market: Pick<Market, 'slug' | 'outcomes'>, outcome: number, split: ProbabilitySplit): ResolvedTo {
  if (split.percents !== undefined) return resolvedFromPercents(outcome, checkedPercents(market, split.percents));
  if (split.probability !== undefined && split.probabilities !== undefined) {
    throw new CruxError('invalid_input', 'Give either `probability` (binary markets) or `probabilities` (one per outcome), not both.');
  }
  if (split.probability !== undefined) {
    if (market.outcomes.length !== 2) {
      throw new CruxError(
        'invalid_input',
        `\`${market.slug}\` has ${market.outcomes.length} outcomes: give a probability per outcome with \`probabilities\`, like "${exampleOf(market.outcomes)}".`,
      );
    }
    assertPercent(split.probability, market.outcomes[outcome] ?? '?', String(split.probability));
    const percents = [0, 0];
    percents[outcome] = split.probability;
    percents[1 - outcome] = PERCENT - split.probability;
    return resolvedFromPercents(outcome, percents);
  }
  if (split.probabilities !== undefined) return resolvedFromPercents(outcome, parsePercents(market, split.probabilities));
  return { outcome };
}

/** Parses "A=50,B=30,C=20" against the market's outcomes into percents in outcome order. */
export function parsePercents(market: Pick<Market, 'slug' | 'outcomes'>, text: string): number[] {
  const percents: (number | undefined)[] = market.outcomes.map(() => undefined);
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new CruxError('invalid_input', `Give a probability per outcome, like "${exampleOf(market.outcomes)}".`);
  for (const part of parts) {
    const match = /^(.+?)\s*[=:]\s*(\S+?)\s*%?$/.exec(part);
    if (match === null) {
      throw new CruxError('invalid_input', `"${part}" is not \`outcome=percent\`: write the probabilities like "${exampleOf(market.outcomes)}".`);
    }
    const [, name = '', value = ''] = match;
    const index = outcomeIndex(market, name);
    if (percents[index] !== undefined) throw new CruxError('invalid_input', `${market.outcomes[index]} is named twice in the probabilities.`);
    assertPercent(Number(value), market.outcomes[index] ?? name, value);
    const percent = Number(value);
    percents[index] = percent;
  }
  const filled = percents.map((percent) => percent ?? 0);
  const total = filled.reduce((sum, percent) => sum + percent, 0);
  if (total !== PERCENT) throw new CruxError('invalid_input', `The probabilities add up to ${total}%, not 100%.`);
  return filled;
}

function checkedPercents(market: Pick<Market, 'outcomes'>, percents: readonly number[]): readonly number[] {
  percents.forEach((percent, i) => assertPercent(percent, market.outcomes[i] ?? '?', String(percent)));
  const total = percents.reduce((sum, percent) => sum + percent, 0);
  if (percents.length !== market.outcomes.length || total !== PERCENT) {
    throw new CruxError('invalid_input', `A probability per outcome must cover the market's ${market.outcomes.length} outcomes and add up to 100%.`);
  }
  return percents;
}

function assertPercent(percent: number, outcome: string, written: string): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > PERCENT) {
    throw new CruxError('invalid_input', `The probability of ${outcome} must be a whole percent from 0 to 100, not "${written}".`);
  }
}

function exampleOf(outcomes: readonly string[]): string {
  const even = Math.floor(PERCENT / outcomes.length);
  return outcomes.map((name, i) => `${name}=${i === 0 ? PERCENT - even * (outcomes.length - 1) : even}`).join(',');
}

/** Whether two verdicts (outcome null: cancelling) settle a market the same way. */
export function sameVerdict(
  a: { outcome: number | null; probabilities?: readonly number[] | undefined },
  b: { outcome: number | null; probabilities?: readonly number[] | undefined },
): boolean {
  if (a.outcome === null || b.outcome === null) return a.outcome === b.outcome;
  const length = Math.max(a.probabilities?.length ?? 0, b.probabilities?.length ?? 0, a.outcome + 1, b.outcome + 1);
  const left = percentsOf({ outcome: a.outcome, probabilities: a.probabilities }, length);
  const right = percentsOf({ outcome: b.outcome, probabilities: b.probabilities }, length);
  return a.outcome === b.outcome && left.every((percent, i) => percent === right[i]);
}
