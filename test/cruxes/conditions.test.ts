import { afterEach, describe, expect, it } from 'vitest';
import { exportChunks } from '../../bot/export/exports.ts';
import { ScoreStore } from '../../db/score-store.ts';
import { ScoringStore } from '../../db/scoring-store.ts';
import { assertConditionAllowed, type Condition, conditionalAction, conditionFailedReason, CONDITION_RESOLVER, MAX_CONDITION_DEPTH } from '../../markets/cruxes/conditions.ts';
import { ForecastService } from '../../markets/forecasts.ts';
import type { Market } from '../../markets/market.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { driveConsole, testApp } from '../support/app.ts';
import { DAY, failure, ok, T0, type TestEngine, testEngine } from '../support/engine.ts';

let engine: TestEngine | undefined;
afterEach(() => {
  engine?.db.close();
  engine = undefined;
});

function open(e: TestEngine, id: string, condition?: { market: string; outcome: string | number }) {
  return e.service.openMarket(
    { id, question: `Question ${id}?`, criteria: 'x', closesAt: T0 + DAY, ...(condition ? { condition } : {}) },
    e.moderator('mod'),
  );
}

const chain = (links: Record<string, string>) => (id: string): Condition | undefined =>
  links[id] === undefined ? undefined : { marketId: id, conditionId: links[id], outcome: 0, claimId: null };

describe('conditions', () => {
  it('refuses a cycle, direct or through others, and a chain deeper than the limit', () => {
    expect(() => assertConditionAllowed('a', 'a', chain({}))).toThrow(/itself/);
    expect(() => assertConditionAllowed('a', 'b', chain({ b: 'c', c: 'a' }))).toThrow(/itself/);
    expect(() => assertConditionAllowed('a', 'b', chain({ b: 'c', c: 'b' }))).toThrow(/itself/);
    expect(() => assertConditionAllowed('a', 'b', chain({ b: 'c' }))).not.toThrow();
    expect(MAX_CONDITION_DEPTH).toBe(3);
    expect(() => assertConditionAllowed('a', 'b', chain({ b: 'c', c: 'd' }))).not.toThrow();
    expect(() => assertConditionAllowed('a', 'b', chain({ b: 'c', c: 'd', d: 'e' }))).toThrow(/at most 3 deep/);
  });

  it('decides what a conditional becomes from its condition', () => {
    const state = (status: Market['status'], outcome: number | null = null, decidedBy = 'mod') => ({
      status,
      resolution: status === 'open' || status === 'closed' ? null : { outcome, decidedBy, evidence: 'e', at: T0 },
    });
    expect(conditionalAction(state('resolved', 1), 0, state('open'))).toBe('cancel');
    expect(conditionalAction(state('cancelled'), 0, state('closed'))).toBe('cancel');
    expect(conditionalAction(state('cancelled'), 0, state('resolved', 1))).toBe('cancel');
    expect(conditionalAction(state('resolved', 0), 0, state('open'))).toBe('none');
    expect(conditionalAction(state('resolved', 1), 0, state('cancelled', null, CONDITION_RESOLVER))).toBe('none');
    expect(conditionalAction(state('resolved', 0), 0, state('cancelled', null, CONDITION_RESOLVER))).toBe('reinstate');
    expect(conditionalAction(state('resolved', 0), 0, state('cancelled', null, 'mod'))).toBe('none');
    // A condition resolved to a probability held for neither branch: its conditionals are cancelled.
    const partly = { status: 'resolved' as const, resolution: { outcome: 0, probabilities: [70, 30], decidedBy: 'mod', evidence: 'e', at: T0 } };
    expect(conditionalAction(partly, 0, state('open'))).toBe('cancel');
    expect(conditionalAction(partly, 1, state('closed'))).toBe('cancel');
    // Its holders are told what it resolved to, not that it resolved the outcome they assumed.
    expect(conditionFailedReason({ slug: 'cond', outcomes: ['Yes', 'No'], ...partly }, 0)).toBe(
      'Its condition `cond` resolved to Yes 70% · No 30%, not Yes: every trade is refunded.',
    );
    expect(conditionFailedReason({ slug: 'cond', outcomes: ['Yes', 'No'], ...state('resolved', 1) }, 0)).toBe(
      'Its condition `cond` resolved No, not Yes: every trade is refunded.',
    );
  });

  it('opens a conditional only on an unsettled market of the same realm, by one of its outcomes', () => {
    const e = (engine = testEngine());
    ok(open(e, 'cond'));
    expect(failure(open(e, 'k', { market: 'cond', outcome: 'Maybe' })).code).toBe('unknown_outcome');
    expect(failure(open(e, 'k', { market: 'elsewhere', outcome: 'Yes' })).code).toBe('unknown_market');
    const other = e.service.openMarket(
      { id: 'k', question: 'Question k?', criteria: 'x', closesAt: T0 + DAY, guildId: 'g2', condition: { market: 'cond', outcome: 'Yes' } },
      { ...e.moderator('mod'), realm: 'g2' },
    );
    expect(failure(other).code).toBe('unknown_market');
    ok(open(e, 'k', { market: 'cond', outcome: 'Yes' }));
    ok(open(e, 'kk', { market: 'k', outcome: 0 }));
    ok(open(e, 'kkk', { market: 'kk', outcome: 0 }));
    expect(failure(open(e, 'kkkk', { market: 'kkk', outcome: 0 })).message).toMatch(/at most 3 deep/);
    ok(e.service.cancelMarket('kkk', 'void', e.moderator('mod')));
    expect(failure(open(e, 'late', { market: 'kkk', outcome: 0 })).code).toBe('market_settled');
  });

  it('refuses to resolve a conditional before its condition held, and cancels the other branch with refunds when it does', () => {
    const e = (engine = testEngine());
    ok(open(e, 'cond'));
    ok(open(e, 'if-yes', { market: 'cond', outcome: 'Yes' }));
    ok(open(e, 'if-no', { market: 'cond', outcome: 'No' }));
    ok(e.service.buy({ marketId: 'if-no', outcome: 'Yes', amount: creditsToMillis(30) }, e.member('ann')));
    expect(failure(e.service.resolveMarket('if-yes', 'Yes', 'seen', e.moderator('mod'))).code).toBe('market_not_closed');
    const settlement = ok(e.service.resolveMarket('cond', 'Yes', 'seen', e.moderator('mod')));
    expect(settlement.cancelledConditionals.map((c) => c.market.slug)).toEqual(['if-no']);
    expect(settlement.cancelledConditionals[0]?.paid).toEqual([{ userId: 'ann', amount: creditsToMillis(30) }]);
    expect(settlement.cancelledConditionals[0]?.market.resolution?.evidence).toMatch(/`cond` resolved Yes, not No/);
    ok(e.service.resolveMarket('if-yes', 'Yes', 'seen', e.moderator('mod')));
    e.assertVerified();
  });

  it('names each market\'s condition in the markets export', () => {
    const e = (engine = testEngine());
    ok(open(e, 'cond'));
    ok(open(e, 'if-no', { market: 'cond', outcome: 'No' }));
    const scoring = new ScoringStore(e.store);
    const text = [...exportChunks('markets', { scoring, forecasts: new ForecastService(scoring, new ScoreStore(e.db, scoring)) }, { format: 'json', guildId: null, generatedAt: T0 })].join('');
    const rows = (JSON.parse(text) as { markets: { market_id: string; condition_market_id: string | null; condition_outcome: string | null }[] }).markets;
    const byId = new Map(rows.map((row) => [row.market_id, row]));
    expect(byId.get('if-no')).toMatchObject({ condition_market_id: 'cond', condition_outcome: 'No' });
    expect(byId.get('cond')).toMatchObject({ condition_market_id: null, condition_outcome: null });
  });
});

describe('/market open if:', () => {
  it('opens a conditional from the console line, names its condition on the card, and explains a malformed condition', async () => {
    const harness = testApp();
    try {
      const text = await driveConsole(harness, [
        '/market open question:Is ROME replicated? criteria:A second team reports it. closes:2027-12-31',
        '/market open question:Do agents seek power? criteria:As judged. closes:2027-12-31 if:rome-replicated=yes',
        '/market open question:Do agents seek power again? criteria:As judged. closes:2027-12-31 if:rome-replicated',
      ]);
      expect(text).toContain('Conditional on: rome-replicated resolving Yes; cancelled with refunds otherwise');
      expect(text).toContain('⚠️ if: takes a market and one of its outcomes, like if:rome-replicates=Yes.');
    } finally {
      harness.db.close();
    }
  });
});
