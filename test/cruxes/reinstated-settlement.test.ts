import { describe, expect, it } from 'vitest';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import type { Settlement } from '../../markets/settlement/types.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;
const moderator = (now: number): Context => ({ realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now });
const as = (userId: string, now = T0): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: false }, now });

/** A condition and a conditional `c` on its Yes, trading for three days, with a day's dispute window. */
function conditionalPair(): TestApp {
  const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24' });
  ok(t.app.service.openMarket({ id: 'cond', question: 'Condition?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator(T0)));
  ok(t.app.service.openMarket({ id: 'c', question: 'Conditional?', criteria: 'x', closesAt: T0 + 3 * DAY, condition: { market: 'cond', outcome: 'Yes' } }, moderator(T0)));
  return t;
}

/** The one settlement the window-end job applied at `now`. */
function applyDueOne(t: TestApp, now: number): Settlement[] {
  return t.app.settlements.applyDue(now).map(({ result }) => {
    if (!result.ok || result.value === undefined) throw new Error('the job applied nothing');
    return result.value;
  });
}

describe('a conditional settled again after its condition was corrected', () => {
  it('is posted with what its own settlement paid, not with every refund and payout the market ever had', () => {
    const t = conditionalPair();
    ok(t.app.service.buy({ marketId: 'c', outcome: 'Yes', amount: creditsToMillis(40) }, as('ann')));
    ok(t.app.service.buy({ marketId: 'c', outcome: 'No', amount: creditsToMillis(20) }, as('ben')));
    ok(t.app.service.resolveMarket('cond', 'No', 'seen', moderator(T0 + HOUR)));
    const [condition] = applyDueOne(t, T0 + DAY + HOUR);
    expect(condition?.cancelledConditionals[0]?.paid).toEqual([
      { userId: 'ann', amount: creditsToMillis(40) },
      { userId: 'ben', amount: creditsToMillis(20) },
    ]);
    for (const posted of t.app.settlements.unannounced()) t.app.settlements.markAnnounced(posted.record.id, T0 + DAY + HOUR);

    ok(t.app.resolution.correctResolution('cond', { outcome: 'Yes' }, 'it held', moderator(T0 + DAY + 2 * HOUR)));
    expect(t.app.views.market('console', 'c').market.status).toBe('open');
    ok(t.app.service.resolveMarket('c', 'No', 'seen', moderator(T0 + DAY + 3 * HOUR)));
    const [applied] = applyDueOne(t, T0 + 2 * DAY + 3 * HOUR);
    if (applied === undefined) throw new Error('the conditional was not applied');

    const [posted, ...others] = t.app.settlements.unannounced();
    expect(others).toEqual([]);
    expect(posted?.record.id).toBe(applied.record.id);
    expect(posted?.paid).toEqual(applied.paid);
    expect(posted?.returned).toBe(applied.returned);
    // Ben, who bet No, is paid his shares; ann, who bet Yes, nothing; the pool hands the rest back.
    expect(posted?.paid.map((p) => p.userId)).toEqual(['ben']);
    t.assertVerified();
    t.db.close();
  });
});
