import { afterEach, describe, expect, it } from 'vitest';
import { CONDITION_RESOLVER } from '../../markets/cruxes/conditions.ts';
import { userAccount } from '../../markets/ledger.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { requireMarketByKey } from '../../markets/service.ts';
import { DAY, ok, T0, type TestEngine, testEngine } from '../support/engine.ts';

let engine: TestEngine | undefined;
afterEach(() => {
  engine?.db.close();
  engine = undefined;
});

/** A condition with a conditional on each outcome; ann holds the No branch. Settlements wait out a day's window. */
function pairWithWindow(): TestEngine {
  const e = (engine = testEngine({}, ':memory:', DAY));
  const open = (id: string, condition?: { market: string; outcome: string }) =>
    ok(e.service.openMarket({ id, question: `Question ${id}?`, criteria: 'x', closesAt: T0 + 2 * DAY, ...(condition ? { condition } : {}) }, e.moderator('mod')));
  open('cond');
  open('if-yes', { market: 'cond', outcome: 'Yes' });
  open('if-no', { market: 'cond', outcome: 'No' });
  ok(e.service.buy({ marketId: 'if-no', outcome: 'Yes', amount: creditsToMillis(30) }, e.member('ann')));
  return e;
}

const balance = (e: TestEngine, userId: string) => e.store.findAccount(userAccount('console', userId))?.balance ?? 0;
const statusOf = (e: TestEngine, id: string) => requireMarketByKey(e.store, id).status;

describe('conditionals under dispute windows', () => {
  it('are cancelled when the condition settlement is applied by the window-end job, not while it is pending', () => {
    const e = pairWithWindow();
    const before = balance(e, 'ann');
    const pending = ok(e.service.resolveMarket('cond', 'Yes', 'seen', e.moderator('mod')));
    expect(pending.record.status).toBe('pending');
    expect(pending.cancelledConditionals).toEqual([]);
    expect(statusOf(e, 'if-no')).toBe('open');
    expect(balance(e, 'ann')).toBe(before);

    const [applied, ...others] = e.settlements.applyDue(T0 + DAY);
    expect(others).toEqual([]);
    if (!applied?.result.ok || applied.result.value === undefined) throw new Error('the condition settlement was not applied');
    const cancelled = applied.result.value.cancelledConditionals;
    expect(cancelled.map((c) => c.market.slug)).toEqual(['if-no']);
    expect(cancelled[0]?.paid).toEqual([{ userId: 'ann', amount: creditsToMillis(30) }]);
    expect(balance(e, 'ann')).toBe(before + creditsToMillis(30));
    expect(requireMarketByKey(e.store, 'if-no').resolution?.decidedBy).toBe(CONDITION_RESOLVER);
    expect(statusOf(e, 'if-yes')).toBe('open');
    // The job posts the conditional's own record too, since nobody's reply announced it.
    expect(e.settlements.unannounced().map((s) => s.market.slug).sort()).toEqual(['cond', 'if-no']);
    e.assertVerified();
  });

  it('are cancelled when a moderator upholds the condition settlement, superseding a cancellation of their own still waiting', () => {
    const e = pairWithWindow();
    ok(e.service.cancelMarket('if-no', 'ill-posed', e.moderator('mod')));
    expect(e.settlements.latest('if-no')?.settlement.status).toBe('pending');
    ok(e.service.resolveMarket('cond', 'Yes', 'seen', e.moderator('mod')));
    const upheld = ok(e.settlements.uphold('cond', { ...e.moderator('mod'), now: T0 + 60_000 }));
    expect(upheld.cancelledConditionals.map((c) => c.market.slug)).toEqual(['if-no']);
    const latest = e.settlements.latest('if-no')?.settlement;
    expect(latest).toMatchObject({ status: 'applied', decidedBy: CONDITION_RESOLVER, outcome: null });
    expect(statusOf(e, 'if-no')).toBe('cancelled');
    // Nothing is left for the job: the moderator's pending cancel was superseded, and the reply announced both.
    expect(e.settlements.applyDue(T0 + 2 * DAY)).toEqual([]);
    expect(e.settlements.unannounced()).toEqual([]);
    e.assertVerified();
  });
});
