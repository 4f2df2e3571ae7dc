import { describe, expect, it } from 'vitest';
import { DM_SPACING_MS, planDm } from '../../markets/notifications/coalesce.ts';
import { isBigMove, largestMove, moveWithin } from '../../markets/notifications/moves.ts';
import type { Context } from '../../markets/use-case.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { testApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;

describe('coalescing DMs', () => {
  it('joins the waiting DM, sends at once after a quiet hour, and otherwise waits an hour after the last', () => {
    expect(planDm({ pendingId: 7, lastSentAt: T0 }, T0)).toEqual({ kind: 'join', outboxId: 7 });
    expect(planDm({ pendingId: null, lastSentAt: null }, T0)).toEqual({ kind: 'new', dueAt: T0 });
    expect(planDm({ pendingId: null, lastSentAt: T0 - 10 * 60_000 }, T0)).toEqual({ kind: 'new', dueAt: T0 - 10 * 60_000 + DM_SPACING_MS });
    expect(planDm({ pendingId: null, lastSentAt: T0 - 2 * HOUR }, T0)).toEqual({ kind: 'new', dueAt: T0 });
  });
});

describe('detecting moves', () => {
  it('finds the largest move of any outcome and judges the threshold in points', () => {
    expect(largestMove([0.5, 0.3, 0.2], [0.45, 0.45, 0.1])).toEqual({ outcome: 1, from: 0.3, to: 0.45 });
    expect(isBigMove([0.5, 0.5], [0.6, 0.4], 10)).toBe(true);
    expect(isBigMove([0.5, 0.5], [0.59, 0.41], 10)).toBe(false);
    expect(isBigMove([0.5, 0.5], [0.1, 0.9], 0)).toBe(false);
  });

  it('measures a move over the window from the price standing when it opened', () => {
    const history = [
      { at: T0 - 10 * HOUR, prices: [0.5, 0.5] },
      { at: T0 - 7 * HOUR, prices: [0.4, 0.6] },
      { at: T0 - 3 * HOUR, prices: [0.45, 0.55] },
      { at: T0 - HOUR, prices: [0.52, 0.48] },
    ];
    // The window opens at T0 − 6 h, when 0.4 stood: 0.4 → 0.52 is 12 points.
    expect(moveWithin(history, T0, 6 * HOUR, 10)).toEqual({ outcome: 0, from: 0.4, to: 0.52 });
    expect(moveWithin(history, T0, 6 * HOUR, 15)).toBeUndefined();
    // Only 0.45 → 0.52 within the last 2 hours and a half.
    expect(moveWithin(history, T0, 2.5 * HOUR, 10)).toBeUndefined();
    // With nothing before the window, the first point inside it is where the move starts.
    expect(moveWithin(history.slice(2), T0, 6 * HOUR, 5)).toEqual({ outcome: 0, from: 0.45, to: 0.52 });
    expect(moveWithin(history.slice(3), T0, 6 * HOUR, 1)).toBeUndefined();
  });
});

const as = (userId: string, now = T0, isModerator = false): Context => ({ realm: 'g1', actor: { userId, displayName: userId, isModerator }, now });

function outbox(harness: ReturnType<typeof testApp>, userId: string) {
  return (harness.db.prepare(`SELECT notices, due_at FROM outbox WHERE target = 'dm' AND user_id = ? ORDER BY id`).all(userId) as { notices: string; due_at: number }[]).map(
    (row) => ({ kinds: (JSON.parse(row.notices) as { kind: string }[]).map((n) => n.kind), dueAt: row.due_at }),
  );
}

function withMarket() {
  const harness = testApp();
  ok(harness.app.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: 'g1', channelId: 'c1' }, as('alice')));
  return harness;
}

describe('who is told what', () => {
  it('tells holders and followers of a resolution with what each was paid, but not those who turned it off', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, as('bob')));
    ok(app.service.buy({ marketId: 'rome', outcome: 'No', amount: 10_000 }, as('carol')));
    ok(app.notifications.follow('rome', true, as('dave')));
    ok(app.notifications.setSwitches({ resolved: false }, as('carol')));
    const settled = ok(app.service.resolveMarket('rome', 'Yes', 'https://example.org', as('mod', T0, true)));
    const bobPaid = settled.paid.find((p) => p.userId === 'bob')?.amount;
    expect(bobPaid).toBeGreaterThan(0);
    const notices = (userId: string) =>
      (harness.db.prepare(`SELECT notices FROM outbox WHERE target = 'dm' AND user_id = ?`).all(userId) as { notices: string }[]).flatMap(
        (row) => JSON.parse(row.notices) as { kind: string; paid?: number }[],
      );
    expect(notices('bob')).toEqual([expect.objectContaining({ kind: 'settled', outcome: 'Yes', paid: bobPaid })]);
    expect(notices('dave')).toEqual([expect.objectContaining({ kind: 'settled', paid: 0 })]);
    expect(notices('carol')).toEqual([]);
    expect(notices('mod')).toEqual([]);
  });

  it('tells of a settlement when its money moves: a pending resolution posts only its window to the thread, the uphold pays and tells', () => {
    const harness = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24' });
    const { app } = harness;
    ok(app.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: 'g1', channelId: 'c1' }, as('alice')));
    app.notifications.recordThread('rome', '555', T0);
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, as('bob')));
    const threadNotices = () =>
      (harness.db.prepare(`SELECT notices FROM outbox WHERE target = 'thread' ORDER BY id`).all() as { notices: string }[]).flatMap(
        (row) => JSON.parse(row.notices) as { kind: string; windowEndsAt?: number | null }[],
      );
    const dms = () => harness.db.prepare(`SELECT user_id FROM outbox WHERE target = 'dm'`).all();
    ok(app.service.resolveMarket('rome', 'Yes', 'https://example.org', as('mod', T0, true)));
    expect(threadNotices().map((n) => n.kind)).toEqual(['trade', 'pending']);
    expect(threadNotices()[1]).toEqual(expect.objectContaining({ outcome: 'Yes', windowEndsAt: T0 + DAY }));
    expect(dms()).toEqual([]);
    const upheld = ok(app.settlements.uphold('rome', as('mod', T0 + HOUR, true)));
    expect(upheld.record.status).toBe('applied');
    expect(threadNotices().map((n) => n.kind)).toEqual(['trade', 'pending', 'settled']);
    expect(dms()).toEqual([{ user_id: 'bob' }]);
    harness.assertVerified();
  });

  it('coalesces: a member told twice within the hour about one market gets one DM, the next an hour after it', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, as('bob')));
    ok(app.edits.edit({ marketId: 'rome', criteria: 'Two teams.', reason: 'clarity' }, as('mod', T0, true)));
    ok(app.edits.edit({ marketId: 'rome', addTag: 'evals', reason: 'tidy' }, as('mod', T0 + 60_000, true)));
    expect(outbox(harness, 'bob')).toEqual([{ kinds: ['edit', 'edit'], dueAt: T0 }]);
    const claimed = app.notifications.claimNextDm(T0 + 120_000);
    app.notifications.finish([claimed?.id ?? 0], true, T0 + 120_000);
    ok(app.edits.edit({ marketId: 'rome', question: 'Will ROME replicate soon?', reason: 'scope' }, as('mod', T0 + 180_000, true)));
    expect(outbox(harness, 'bob').at(-1)).toEqual({ kinds: ['edit'], dueAt: T0 + 120_000 + HOUR });
    expect(app.notifications.claimNextDm(T0 + HOUR)).toBeUndefined();
    expect(app.notifications.claimNextDm(T0 + 120_000 + HOUR)?.userId).toBe('bob');
  });

  it('decides each reminder once per period: closing within a day, a big move within 6 hours, a stale market to its creator', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 60_000 }, as('bob', T0 + 29 * DAY)));
    const now = T0 + 29 * DAY + HOUR;
    expect(ok(app.notifications.remindMoves(now))).toBe(1);
    expect(ok(app.notifications.remindMoves(now + HOUR))).toBe(0);
    expect(ok(app.notifications.remindClosing(now))).toBe(1);
    expect(ok(app.notifications.remindClosing(now + HOUR))).toBe(0);
    expect(outbox(harness, 'bob')).toEqual([{ kinds: ['moved', 'closing'], dueAt: now }]);
    // A close moved two days later is announced again when it nears, once.
    ok(app.edits.edit({ marketId: 'rome', closesAt: T0 + 32 * DAY, reason: 'more time' }, as('mod', now + HOUR, true)));
    expect(ok(app.notifications.remindClosing(now + DAY))).toBe(0);
    expect(ok(app.notifications.remindClosing(T0 + 31 * DAY + HOUR))).toBe(1);
    expect(ok(app.notifications.remindClosing(T0 + 31 * DAY + 2 * HOUR))).toBe(0);
    ok(app.service.closeDueMarkets(T0 + 32 * DAY));
    expect(ok(app.notifications.remindStale(T0 + 38 * DAY, 7))).toBe(0);
    expect(ok(app.notifications.remindStale(T0 + 39 * DAY, 7))).toBe(1);
    expect(ok(app.notifications.remindStale(T0 + 40 * DAY, 7))).toBe(0);
    expect(outbox(harness, 'alice')).toEqual([{ kinds: ['stale'], dueAt: T0 + 39 * DAY }]);
  });
});

describe('a DM waiting to be sent', () => {
  it('leaves out what its member turned off or stopped following meanwhile, and is dropped when nothing is left', () => {
    const harness = withMarket();
    const { app } = harness;
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 60_000 }, as('bob', T0 + 29 * DAY)));
    ok(app.notifications.follow('rome', true, as('dave', T0 + 29 * DAY)));
    const now = T0 + 29 * DAY + HOUR;
    ok(app.notifications.remindMoves(now));
    ok(app.notifications.remindClosing(now));
    expect(outbox(harness, 'bob')).toEqual([{ kinds: ['moved', 'closing'], dueAt: now }]);
    expect(outbox(harness, 'dave')).toEqual([{ kinds: ['moved', 'closing'], dueAt: now }]);

    ok(app.notifications.setSwitches({ moves: false }, as('bob', now)));
    ok(app.notifications.follow('rome', false, as('dave', now)));
    const claimed = app.notifications.claimNextDm(now);
    expect(claimed?.userId).toBe('bob');
    expect(claimed?.notices.map((notice) => notice.kind)).toEqual(['closing']);
    expect(app.notifications.claimNextDm(now)).toBeUndefined();
    expect(harness.db.prepare(`SELECT state FROM outbox WHERE target = 'dm' AND user_id = 'dave'`).all()).toEqual([{ state: 'dropped' }]);
  });
});

describe('console markets', () => {
  it('queue no DMs, and one queued before is dropped rather than sent: console names are nobody on Discord', () => {
    const harness = testApp();
    const { app } = harness;
    const inConsole = (userId: string, isModerator = false): Context => ({ ...as(userId, T0, isModerator), realm: 'console' });
    ok(app.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: null, channelId: null }, inConsole('alice')));
    ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, inConsole('bob')));
    ok(app.notifications.follow('rome', true, inConsole('dave')));
    ok(app.service.resolveMarket('rome', 'Yes', 'https://example.org', inConsole('mod', true)));
    expect(harness.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE target = 'dm'`).get()).toEqual({ n: 0 });

    // As the bot queued them before console markets were kept out of DMs.
    harness.db
      .prepare(`INSERT INTO outbox (realm, market_id, target, user_id, notices, created_at, due_at) VALUES ('console', 'rome', 'dm', 'bob', ?, ?, ?)`)
      .run(JSON.stringify([{ kind: 'closing', closesAt: T0 + 30 * DAY }]), T0, T0);
    expect(app.notifications.claimNextDm(T0)).toBeUndefined();
    expect(harness.db.prepare(`SELECT state FROM outbox WHERE target = 'dm'`).all()).toEqual([{ state: 'dropped' }]);
  });
});

describe('reasons for big moves, through the service', () => {
  it('finds the move by the request that made it, answers only its trader, and says when that request is a day gone', () => {
    const harness = withMarket();
    const { service, notifications } = harness.app;
    const big = { ...as('bob'), requestId: '1300000000000000001' };
    const small = { ...as('carol'), requestId: '1300000000000000002' };
    ok(service.buy({ marketId: 'rome', outcome: 'Yes', amount: creditsToMillis(400) }, big));
    ok(service.buy({ marketId: 'rome', outcome: 'No', amount: creditsToMillis(1) }, small));
    const explain = (requestId: string, who: Context) => notifications.explainMove('rome', requestId, 'The lab confirmed it', { ...who, requestId: `${requestId}-reason` });

    expect(explain(big.requestId, as('carol'))).toMatchObject({ ok: false, error: { message: expect.stringContaining('Only the trader') } });
    expect(explain(small.requestId, as('carol'))).toMatchObject({ ok: false, error: { message: expect.stringContaining('did not move the price enough') } });
    expect(explain(big.requestId, as('bob')).ok).toBe(true);
    const thread = harness.db.prepare(`SELECT notices FROM outbox WHERE target = 'thread' ORDER BY id DESC LIMIT 1`).get() as { notices: string };
    // The move's prices, remade from the request's row, are the ones the trade saw.
    expect(JSON.parse(thread.notices)).toEqual([{ kind: 'reason', userId: 'bob', text: 'The lab confirmed it', outcome: 'Yes', before: 0.5, after: expect.any(Number) }]);

    service.forgetRequestsBefore(T0 + DAY);
    expect(explain(big.requestId, as('bob', T0 + DAY))).toMatchObject({ ok: false, error: { message: expect.stringContaining('more than a day old') } });
  });
});
