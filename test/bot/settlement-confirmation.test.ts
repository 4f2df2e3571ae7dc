import { describe, expect, it } from 'vitest';
import { settlementConfirmation } from '../../bot/commands/mod/confirm.ts';
import type { Invocation, OptionValue } from '../../bot/reply.ts';
import { creditsToMillis, formatCredits } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

const moderator = (now = T0): Context => ({ realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now });
const as = (userId: string, now = T0): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: false }, now });

/** What a moderator typing `/mod <subcommand>` with these options is asked to confirm. */
function confirmationOf(t: TestApp, subcommand: string, options: Record<string, OptionValue>, now = T0) {
  const invocation: Invocation = {
    realm: 'console',
    command: 'mod',
    subcommand,
    options,
    actor: { userId: 'mod', isModerator: true },
    guildId: null,
    channelId: null,
    requestId: `confirm-${subcommand}`,
    now,
  };
  return settlementConfirmation(invocation, t.app);
}

describe('the confirmation of a moderator decision', () => {
  it('of /mod correct to "cancel" names the outcome called Cancel where the market has one, as the correction does', () => {
    const t = testApp();
    ok(t.app.service.openMarket({ id: 'vote', question: 'Accept or cancel the grant?', criteria: 'x', closesAt: T0 + DAY, outcomes: ['Accept', 'Cancel'] }, moderator()));
    ok(t.app.service.openMarket({ id: 'plain', question: 'Plain?', criteria: 'x', closesAt: T0 + DAY }, moderator()));
    for (const id of ['vote', 'plain']) ok(t.app.service.resolveMarket(id, 0, 'seen', moderator()));

    expect(confirmationOf(t, 'correct', { market: 'vote', outcome: 'cancel', evidence: 'recount' })?.title).toBe('Correct vote to Cancel?');
    const corrected = ok(t.app.resolution.correctResolution('vote', { outcome: 'cancel' }, 'recount', moderator()));
    expect(corrected.market.status).toBe('resolved');
    expect(confirmationOf(t, 'correct', { market: 'plain', outcome: 'cancel', evidence: 'void' })?.title).toBe('Correct plain to cancelled (refunds)?');
    t.assertVerified();
  });

  it('of a resolution shows what it pays: a refund its trader kept from an earlier settlement counts toward it', () => {
    const t = testApp();
    const { service, resolution } = t.app;
    ok(service.openMarket({ id: 'cond', question: 'Condition?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator()));
    ok(service.openMarket({ id: 'other', question: 'Other?', criteria: 'x', closesAt: T0 + 3 * DAY }, moderator()));
    ok(service.openMarket({ id: 'c', question: 'Conditional?', criteria: 'x', closesAt: T0 + 3 * DAY, condition: { market: 'cond', outcome: 'Yes' } }, moderator()));
    ok(service.buy({ marketId: 'c', outcome: 'Yes', amount: creditsToMillis(200) }, as('ann')));
    ok(service.buy({ marketId: 'c', outcome: 'Yes', amount: creditsToMillis(50) }, as('ben')));
    ok(service.resolveMarket('cond', 'No', 'seen', moderator(T0 + 1)));
    // Ann spends her refund, so the reinstatement cannot take it back; ben's is taken back.
    ok(service.buy({ marketId: 'other', outcome: 'Yes', amount: t.app.views.portfolio('console', 'ann').balance }, as('ann', T0 + 2)));
    ok(resolution.correctResolution('cond', { outcome: 'Yes' }, 'it held', moderator(T0 + 3)));

    const asked = confirmationOf(t, 'resolve', { market: 'c', outcome: 'Yes', evidence: 'seen' }, T0 + 4);
    const paid = ok(service.resolveMarket('c', 'Yes', 'seen', moderator(T0 + 4))).paid;
    const total = paid.reduce((sum, payment) => sum + payment.amount, 0);
    expect(asked?.description).toContain(`This pays **${formatCredits(total)} credits** to ${paid.length} holder(s) of Yes.`);
    t.assertVerified();
  });
});
