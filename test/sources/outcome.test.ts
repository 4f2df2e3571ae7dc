import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../markets/backoff.ts';
import { isTerminalCheck, mapToMarketOutcome, type SourceCheck } from '../../markets/sources/index.ts';

const BINARY = ['Yes', 'No'];
const LABS = ['Anthropic', 'OpenAI', 'Google DeepMind', 'Other'];

function outcome(label: string): SourceCheck {
  return { kind: 'outcome', label, detail: `resolved ${label}` };
}

const evidence: SourceCheck = {
  kind: 'evidence',
  url: 'https://example.org/',
  status: 200,
  reachable: true,
  contentHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

describe('mapToMarketOutcome', () => {
  it.each([
    ['YES', 0],
    ['NO', 1],
    ['yes', 0],
    ['no', 1],
    [' Yes ', 0],
  ])('maps platform label %j to outcome %d of a Yes/No market', (label, outcomeIndex) => {
    expect(mapToMarketOutcome(outcome(label), BINARY)).toEqual({ kind: 'outcome', outcomeIndex });
  });

  it('maps multi-outcome labels by name, ignoring case and spacing', () => {
    expect(mapToMarketOutcome(outcome('google  deepmind'), LABS)).toEqual({ kind: 'outcome', outcomeIndex: 2 });
    expect(mapToMarketOutcome(outcome('OpenAI'), LABS)).toEqual({ kind: 'outcome', outcomeIndex: 1 });
  });

  it('maps nothing when the label is none of the market outcomes', () => {
    expect(mapToMarketOutcome(outcome('Meta'), LABS)).toEqual({
      kind: 'none',
      reason: 'The source says "Meta", which is none of this market\'s outcomes (Anthropic, OpenAI, Google DeepMind, Other).',
    });
    expect(mapToMarketOutcome(outcome('YES'), LABS)).toMatchObject({ kind: 'none' });
  });

  it('maps nothing when the label matches more than one outcome', () => {
    expect(mapToMarketOutcome(outcome('yes'), ['Yes', 'YES', 'No'])).toEqual({
      kind: 'none',
      reason: 'The source says "yes", which matches several of this market\'s outcomes.',
    });
  });

  it('maps a platform cancellation to a cancellation', () => {
    expect(mapToMarketOutcome({ kind: 'cancel', detail: 'annulled' }, BINARY)).toEqual({ kind: 'cancel' });
  });

  it('maps a probability of YES onto a Yes/No market in whole percents, and onto nothing else', () => {
    expect(mapToMarketOutcome({ kind: 'probability', probability: 0.62, detail: 'MKT' }, BINARY)).toEqual({ kind: 'outcome', outcomeIndex: 0, percents: [62, 38] });
    expect(mapToMarketOutcome({ kind: 'probability', probability: 0.625, detail: 'MKT' }, ['no', 'YES'])).toEqual({ kind: 'outcome', outcomeIndex: 1, percents: [37, 63] });
    expect(mapToMarketOutcome({ kind: 'probability', probability: 0.62, detail: 'MKT' }, ['Yes', 'No', 'Maybe'])).toEqual({
      kind: 'none',
      reason: "The source resolved to a probability (62%) of YES, and this market's outcomes are not Yes and No; a moderator decides.",
    });
  });

  it.each<[SourceCheck, string]>([
    [{ kind: 'pending', detail: 'open; 73% YES.' }, 'The source has not resolved yet: open; 73% YES.'],
    [{ kind: 'manual', detail: 'Resolved 50-50 (no winner).' }, 'Resolved 50-50 (no winner). A moderator decides.'],
    [evidence, 'A plain link never resolves a market by itself; a moderator reads it.'],
    [{ kind: 'error', message: 'Manifold answered HTTP 500.', reason: 'HTTP 500' }, 'The source could not be checked: Manifold answered HTTP 500.'],
  ])('maps %j to nothing, with a reason', (check, reason) => {
    expect(mapToMarketOutcome(check, BINARY)).toEqual({ kind: 'none', reason });
  });
});

describe('isTerminalCheck', () => {
  it.each<[SourceCheck, boolean]>([
    [outcome('YES'), true],
    [{ kind: 'cancel', detail: '' }, true],
    [{ kind: 'probability', probability: 0.5, detail: '' }, true],
    [{ kind: 'manual', detail: '' }, true],
    [{ kind: 'pending', detail: '' }, false],
    [evidence, false],
    [{ kind: 'error', message: '', reason: '' }, false],
  ])('%j → %s', (check, terminal) => {
    expect(isTerminalCheck(check)).toBe(terminal);
  });
});

describe('backoffDelay', () => {
  it('polls at the base rate while all is well and doubles with each consecutive error', () => {
    expect([0, 1, 2, 3, 4].map((errors) => backoffDelay(errors, 60_000, 3_600_000))).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000,
    ]);
  });

  it('never waits longer than the cap, however many errors', () => {
    expect(backoffDelay(6, 60_000, 3_600_000)).toBe(3_600_000);
    expect(backoffDelay(5, 60_000, 3_600_000)).toBe(1_920_000);
    expect(backoffDelay(10_000, 60_000, 3_600_000)).toBe(3_600_000);
  });

  it('treats a cap equal to the base as a fixed interval', () => {
    expect(backoffDelay(3, 1000, 1000)).toBe(1000);
  });

  it.each([
    [-1, 1000, 5000],
    [1.5, 1000, 5000],
    [Number.NaN, 1000, 5000],
    [0, 0, 5000],
    [0, -10, 5000],
    [0, 1000, 999],
    [0, Number.NaN, 5000],
  ])('refuses backoffDelay(%d, %d, %d)', (errors, baseMs, maxMs) => {
    expect(() => backoffDelay(errors, baseMs, maxMs)).toThrow(RangeError);
  });
});
