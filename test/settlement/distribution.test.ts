import { describe, expect, it } from 'vitest';
import { isCruxError } from '../../markets/errors.ts';
import { parsePercents, resolvedFromSplit, sameVerdict } from '../../markets/settlement/distribution.ts';
import { payoutsFor } from '../../markets/settlement/payouts.ts';
import type { Position } from '../../markets/store.ts';

const binary = { slug: 'rome', outcomes: ['Yes', 'No'] };
const three = { slug: 'labs', outcomes: ['A', 'B', 'C'] };
const position = (userId: string, outcome: number, shares: number): Position => ({ marketId: 'm', userId, outcome, shares });

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isCruxError(error)) return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('resolving to a probability', () => {
  it('splits a binary market: the named outcome gets the probability, the other the rest', () => {
    expect(resolvedFromSplit(binary, 0, { probability: 70 })).toEqual({ outcome: 0, probabilities: [70, 30] });
    expect(resolvedFromSplit(binary, 1, { probability: 70 })).toEqual({ outcome: 1, probabilities: [30, 70] });
  });

  it('treats a certain split as the ordinary resolution to the certain outcome', () => {
    expect(resolvedFromSplit(binary, 0, { probability: 100 })).toEqual({ outcome: 0 });
    expect(resolvedFromSplit(binary, 0, { probability: 0 })).toEqual({ outcome: 1 });
    expect(resolvedFromSplit(three, 0, { probabilities: 'B=100' })).toEqual({ outcome: 1 });
  });

  it('parses a probability per outcome, in outcome order, unnamed outcomes at 0', () => {
    expect(parsePercents(three, 'C=20, a=50 ,B=30')).toEqual([50, 30, 20]);
    expect(parsePercents(three, 'A=60,C=40%')).toEqual([60, 0, 40]);
  });

  it('refuses strings that do not add up, in words', () => {
    expect(refusal(() => parsePercents(three, 'A=50,B=30,C=30'))).toBe('The probabilities add up to 110%, not 100%.');
    expect(refusal(() => parsePercents(three, 'A=50,D=50'))).toContain('`D` is not an outcome of `labs`');
    expect(refusal(() => parsePercents(three, 'A=50,A=50'))).toBe('A is named twice in the probabilities.');
    expect(refusal(() => parsePercents(three, 'A=50.5,B=49.5'))).toContain('must be a whole percent from 0 to 100, not "50.5"');
    expect(refusal(() => parsePercents(three, 'A50,B50'))).toContain('"A50" is not `outcome=percent`');
    expect(refusal(() => parsePercents(three, ' , '))).toContain('like "A=34,B=33,C=33"');
    expect(refusal(() => resolvedFromSplit(three, 0, { probability: 70 }))).toContain('has 3 outcomes');
    expect(refusal(() => resolvedFromSplit(binary, 0, { probability: 101 }))).toContain('not "101"');
    expect(refusal(() => resolvedFromSplit(binary, 0, { probability: 70, probabilities: 'Yes=70,No=30' }))).toContain('not both');
  });

  it('compares verdicts by what they pay', () => {
    expect(sameVerdict({ outcome: 0 }, { outcome: 0, probabilities: [100, 0] })).toBe(true);
    expect(sameVerdict({ outcome: 0 }, { outcome: 0, probabilities: [70, 30] })).toBe(false);
    expect(sameVerdict({ outcome: 0, probabilities: [70, 30] }, { outcome: 0, probabilities: [70, 30] })).toBe(true);
    expect(sameVerdict({ outcome: null }, { outcome: 0 })).toBe(false);
  });
});

describe('payouts of a probability resolution', () => {
  it('pays each share its percent of a credit, rounded down once per holder', () => {
    // alice: 1001 Yes milli-shares at 70% = 700.7 -> 700 millis, plus 3 No at 30% = 0.9: 701.6 -> 701 in all.
    // bob: 333 No milli-shares at 30% = 99.9 -> 99.
    const positions = [position('alice', 0, 1001), position('bob', 1, 333), position('alice', 1, 3)];
    expect(payoutsFor(positions, { outcome: 0, probabilities: [70, 30] })).toEqual([
      { userId: 'alice', amount: 701 },
      { userId: 'bob', amount: 99 },
    ]);
  });

  it('pays a certain resolution share for share, as before', () => {
    const positions = [position('alice', 0, 1001), position('bob', 1, 333), position('carol', 0, 0)];
    expect(payoutsFor(positions, { outcome: 0 })).toEqual([{ userId: 'alice', amount: 1001 }]);
  });

  it('never pays more than the certain payout of the largest outcome (the pool is solvent)', () => {
    const positions = [position('a', 0, 5000), position('b', 1, 7000), position('c', 2, 100), position('a', 2, 900)];
    const paid = payoutsFor(positions, { outcome: 0, probabilities: [50, 30, 20] });
    const total = paid.reduce((sum, p) => sum + p.amount, 0);
    expect(total).toBe(2500 + 2100 + 20 + 180);
    expect(total).toBeLessThanOrEqual(7000);
  });
});
