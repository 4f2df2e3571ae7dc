import { describe, expect, it } from 'vitest';
import { toScoredMarket } from '../../markets/forecasts.ts';
import { type Forecast, scoreForecasters, type ScoredMarket } from '../../markets/scoring/index.ts';
import { binaryMarket, DAY, yes } from './fixtures.ts';

const uniform = (n: number) => Array.from({ length: n }, () => 1 / n);
const market = (n: number, days: number, resolvedOutcome = 0): ScoredMarket => ({
  marketId: `m${n}`,
  outcomes: Array.from({ length: n }, (_, k) => `o${k}`),
  openedAt: 0,
  closesAt: days * DAY,
  resolvedOutcome,
});
const byUser = (scored: ReturnType<typeof scoreForecasters>) => new Map(scored.map((row) => [row.userId, row]));

describe('baseline score', () => {
  it.each([2, 3, 20])('scores the uniform forecaster 0 on %i outcomes, and certainty on the answer 100', (n) => {
    const m = market(n, 4, n - 1);
    const certain = Array.from({ length: n }, (_, k) => (k === n - 1 ? 1 : 0));
    const rows = byUser(
      scoreForecasters(m, [
        { userId: 'uniform', marketId: m.marketId, at: 0, probabilities: uniform(n) },
        { userId: 'sure', marketId: m.marketId, at: 0, probabilities: certain },
      ]),
    );
    // 100 (ln(1/n) + ln n) / ln n = 0; 100 (ln 1 + ln n) / ln n = 100, whatever n
    expect(rows.get('uniform')?.baselineScore).toBeCloseTo(0, 12);
    expect(rows.get('sure')?.baselineScore).toBeCloseTo(100, 12);
    expect(rows.get('uniform')?.coverage).toBe(1);
  });

  it('counts the time before the first forecast as 0 (coverage)', () => {
    // 0.8 on Yes (which happened) from day 1 of 4: 100 (ln 0.8 + ln 2) / ln 2 = 100 (1 + log2 0.8) = 67.807..., times 3/4
    const [row] = scoreForecasters(binaryMarket('m', 4), [yes('ann', 'm', 1, 0.8)]);
    expect(row?.baselineScore).toBeCloseTo(0.75 * 100 * (1 + Math.log2(0.8)), 12);
    expect(row?.coverage).toBe(0.75);
  });
});

describe('peer score', () => {
  it("compares each moment's log score with the mean of the others' then, and is 0 while nobody else forecasts", () => {
    const forecasts = [yes('ann', 'm', 0, 0.8), yes('ben', 'm', 2, 0.5), yes('cy', 'm', 3, 0.2)];
    const rows = byUser(scoreForecasters(binaryMarket('m', 4), forecasts));
    const [a, b, c] = [Math.log(0.8), Math.log(0.5), Math.log(0.2)];
    // days 0-2: ann alone, 0. day 2-3: ann vs ben. day 3-4: each against the mean of the other two.
    const ann = (a - b) * 1 + (a - (b + c) / 2) * 1;
    const ben = (b - a) * 1 + (b - (a + c) / 2) * 1;
    const cy = c - (a + b) / 2;
    expect(rows.get('ann')?.peerScore).toBeCloseTo((100 * ann) / 4, 12);
    expect(rows.get('ben')?.peerScore).toBeCloseTo((100 * ben) / 4, 12);
    expect(rows.get('cy')?.peerScore).toBeCloseTo((100 * cy) / 4, 12);
  });

  it('adds up to 0 over everyone when everyone forecasts throughout', () => {
    const forecasts = [yes('ann', 'm', 0, 0.9), yes('ben', 'm', 0, 0.4), yes('cy', 'm', 0, 0.6), yes('ben', 'm', 2, 0.7)];
    const total = scoreForecasters(binaryMarket('m', 4), forecasts).reduce((sum, row) => sum + row.peerScore, 0);
    expect(total).toBeCloseTo(0, 10);
  });
});

describe('a late sniper', () => {
  // Yes happens. ann says 80% from the first day; mid says 50% throughout; the sniper says 99% for the last 2.4 hours.
  const forecasts: Forecast[] = [yes('ann', 'm', 0, 0.8), yes('mid', 'm', 0, 0.5), yes('sniper', 'm', 9.9, 0.99)];
  const rows = byUser(scoreForecasters(binaryMarket('m', 10), forecasts));

  it('wins on time-averaged Brier, which starts each window at its first forecast', () => {
    // sniper (0.99 - 1)^2 = 0.0001 against ann's (0.8 - 1)^2 = 0.04: the gap this issue is about
    expect(rows.get('sniper')?.timeAveragedBrier).toBeCloseTo(0.0001, 12);
    expect(rows.get('ann')?.timeAveragedBrier).toBeCloseTo(0.04, 12);
  });

  it('scores worse than the early accurate forecaster on baseline and peer scores, which count the whole window', () => {
    const base = (p: number) => 100 * (1 + Math.log2(p));
    // baseline: ann 67.807 over the whole window; the sniper 98.55 for 1% of it
    expect(rows.get('ann')?.baselineScore).toBeCloseTo(base(0.8), 10);
    expect(rows.get('sniper')?.baselineScore).toBeCloseTo(0.01 * base(0.99), 10);
    // peer: ann against mid for 99% of the window, then against the mean of mid and the sniper
    const [a, m, s] = [Math.log(0.8), Math.log(0.5), Math.log(0.99)];
    expect(rows.get('ann')?.peerScore).toBeCloseTo(100 * (0.99 * (a - m) + 0.01 * (a - (m + s) / 2)), 10);
    expect(rows.get('sniper')?.peerScore).toBeCloseTo(100 * 0.01 * (s - (a + m) / 2), 10);
    expect(rows.get('sniper')!.baselineScore).toBeLessThan(rows.get('ann')!.baselineScore);
    expect(rows.get('sniper')!.peerScore).toBeLessThan(rows.get('ann')!.peerScore);
    expect(rows.get('sniper')?.coverage).toBeCloseTo(0.01, 12);
  });
});

describe('the scoring window', () => {
  // The console case: a market closing 4 s after it opens; 90% at 0.487 s, 10% at 1.958 s; No is resolved
  // 8.336 s after the close, with nothing having closed it before.
  const facts = {
    id: 'window',
    outcomes: ['Yes', 'No'],
    status: 'resolved' as const,
    createdAt: 0,
    closesAt: 4000,
    closedAt: 12_336,
    resolvedAt: 12_336,
    resolvedOutcome: 1,
  };
  const said: Forecast[] = [
    { userId: 'you', marketId: 'window', at: 487, probabilities: [0.9, 0.1] },
    { userId: 'you', marketId: 'window', at: 1958, probabilities: [0.1, 0.9] },
  ];

  it('ends at the scheduled close when the market was closed or settled later', () => {
    const scored = toScoredMarket(facts);
    expect(scored?.closesAt).toBe(4000);
    const [row] = scoreForecasters(scored!, said);
    // 0.9 on Yes for 1471 ms (Brier 0.81, ln 0.1), then 0.1 for 2042 ms (Brier 0.01, ln 0.9), of 3513 ms
    expect(row?.timeAveragedBrier).toBeCloseTo((0.81 * 1471 + 0.01 * 2042) / 3513, 12);
    expect(row?.timeAveragedBrier.toFixed(6)).toBe('0.344984');
    expect(row?.timeAveragedLogScore).toBeCloseTo((Math.log(0.1) * 1471 + Math.log(0.9) * 2042) / 3513, 12);
    expect(row?.timeAveragedLogScore.toFixed(6)).toBe('-1.025405');
  });

  it('ends at the actual close when that came first', () => {
    expect(toScoredMarket({ ...facts, closedAt: 3000, resolvedAt: 5000 })?.closesAt).toBe(3000);
    expect(toScoredMarket({ ...facts, closedAt: null, resolvedAt: 2500 })?.closesAt).toBe(2500);
  });
});
