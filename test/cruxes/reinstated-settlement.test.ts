import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { MINT_ACCOUNT, userAccount } from '../../markets/ledger.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { tradeCard } from '../../bot/render/trade-card.ts';
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

  it('pays back, out of a sale, a refund its trader had spent before the reinstatement: the stake is not received twice', () => {
    const t = testApp();
    const { service, resolution } = t.app;
    const store = new SqliteStore(t.db);
    const balance = (userId: string) => t.app.views.portfolio('console', userId).balance;
    const minted = () => -(store.findAccount(MINT_ACCOUNT)?.balance ?? 0);
    ok(service.openMarket({ id: 'cond', question: 'Condition?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator(T0)));
    ok(service.openMarket({ id: 'other', question: 'Other?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator(T0)));
    ok(service.openMarket({ id: 'c', question: 'Conditional?', criteria: 'x', closesAt: T0 + 3 * DAY, condition: { market: 'cond', outcome: 'Yes' } }, moderator(T0)));
    const stake = ok(service.buy({ marketId: 'c', outcome: 'Yes', amount: creditsToMillis(500) }, as('ann'))).quote.cash;
    ok(service.resolveMarket('cond', 'No', 'seen', moderator(T0 + HOUR)));
    // She spends her refund elsewhere, so the reinstatement cannot take it back: the mint refills the pool.
    ok(service.buy({ marketId: 'other', outcome: 'Yes', amount: balance('ann') }, as('ann')));
    expect(balance('ann')).toBe(0);
    const correction = ok(resolution.correctResolution('cond', { outcome: 'Yes' }, 'it held', moderator(T0 + 2 * HOUR)));
    expect(correction.conditionals.map((c) => c.action)).toEqual(['reinstate']);
    const owedBack = store.settlementReceivedBy('c', userAccount('console', 'ann'));
    expect(owedBack).toBe(stake);
    const mintedBefore = minted();

    const sale = { ...as('ann', T0 + 3 * HOUR), requestId: 'sale-1' };
    const sold = ok(service.sell({ marketId: 'c', outcome: 'Yes' }, sale));
    // The request answered again says the same, repayment included.
    expect(ok(service.sell({ marketId: 'c', outcome: 'Yes' }, sale))).toMatchObject({ repaid: sold.repaid, balance: sold.balance });
    const repaid = Math.min(owedBack, sold.quote.cash);
    expect(sold.repaid).toBe(repaid);
    expect(sold.balance).toBe(sold.quote.cash - repaid);
    expect(balance('ann')).toBe(sold.balance);
    // The repayment goes back to the mint, which had refilled the pool, and counts as taken back.
    expect(minted()).toBe(mintedBefore - repaid);
    expect(store.settlementReceivedBy('c', userAccount('console', 'ann'))).toBe(owedBack - repaid);
    expect(tradeCard(sold, 'ann').fields?.map((field) => field.name)).toContain('Refund paid back');

    // Cancelled once more: what she still has of the refund counts toward what she is owed, so nothing is paid twice.
    const cancelled = ok(resolution.correctResolution('cond', { outcome: 'No' }, 'oops', moderator(T0 + 4 * HOUR)));
    expect(cancelled.conditionals.map((c) => c.action)).toEqual(['cancel']);
    expect(cancelled.conditionals[0]?.paid.find((p) => p.userId === 'ann')).toBeUndefined();
    t.assertVerified();
    t.db.close();
  });
});
