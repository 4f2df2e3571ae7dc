import { describe, expect, it } from 'vitest';
import { endDisputeWindows, type JobHooks, quietJobHooks } from '../../bot/jobs.ts';
import type { Db } from '../../db/open.ts';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import type { Reply } from '../../bot/reply.ts';
import { disputeMessage } from '../../bot/render/settlement-card.ts';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';
import { SqliteConditionStore } from '../../db/cruxes-store.ts';
import { SqliteSettlementStore } from '../../db/settlement-store.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { MarketService } from '../../markets/service.ts';
import { SettlementService } from '../../markets/settlement/service.ts';
import type { SettlementRecord } from '../../markets/settlement/types.ts';
import { freshMemoryDatabase } from '../support/memory-db.ts';
import { DAY, failure, ok, T0 } from '../support/engine.ts';

const HOUR = 60 * 60 * 1000;
const moderator = (now = T0, userId = 'mod'): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: true }, now });
const as = (userId: string, now = T0): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: false }, now });

function windowed(hours = 24): TestApp {
  return testApp({ CRUX_DISPUTE_WINDOW_HOURS: String(hours) });
}

function openWithBets(t: TestApp): string {
  const slug = ok(t.app.service.openMarket({ question: 'Will the ROME result replicate?', criteria: 'YES if it does.', closesAt: T0 + 30 * DAY, channelId: 'c', links: [] }, moderator())).slug;
  ok(t.app.service.buy({ marketId: slug, outcome: 'Yes', amount: creditsToMillis(100) }, as('alice')));
  ok(t.app.service.buy({ marketId: slug, outcome: 'No', amount: creditsToMillis(80) }, as('bob')));
  return slug;
}

function balance(db: Db, userId: string): number {
  return (db.prepare('SELECT balance FROM accounts WHERE id = ?').get(`user:console:${userId}`) as { balance: number }).balance;
}

function count(db: Db, reason: string): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM ledger WHERE reason = ?').get(reason) as { n: number }).n;
}

function shares(db: Db, userId: string, outcome: number): number {
  return (db.prepare('SELECT shares FROM positions WHERE user_id = ? AND outcome = ?').get(userId, outcome) as { shares: number }).shares;
}

/** The job's hooks at a fixed moment, keeping what it posts. */
function hooksAt(now: number, posted: Reply[]): JobHooks {
  return quietJobHooks({
    now: () => now,
    postToModerators: async (reply) => {
      posted.push(reply);
      return { channelId: 'mods', messageId: String(posted.length) };
    },
    checkSource: async () => ({ kind: 'error', message: 'not used', reason: 'not used' }),
  });
}

describe('a dispute window', () => {
  it('holds a resolution: trading stops, payouts are computed but not paid, and the job pays them once when the window ends', async () => {
    const t = windowed(24);
    const slug = openWithBets(t);
    const aliceBefore = balance(t.db, 'alice');
    const settlement = ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator()));
    expect(settlement.record).toMatchObject({ status: 'pending', outcome: 0, windowEndsAt: T0 + 24 * HOUR, deciderHeldPosition: false });
    expect(settlement.paid).toEqual([{ userId: 'alice', amount: shares(t.db, 'alice', 0) }]);
    expect(settlement.market.status).toBe('closed');
    expect(count(t.db, 'payout')).toBe(0);
    expect(failure(t.app.service.buy({ marketId: slug, outcome: 'Yes', amount: 1000 }, as('carol', T0 + HOUR))).code).toBe('market_not_open');

    const posted: Reply[] = [];
    expect(await endDisputeWindows(t.app, hooksAt(T0 + 24 * HOUR - 1, posted))).toEqual([]);
    expect(count(t.db, 'payout')).toBe(0);
    const [paid] = await endDisputeWindows(t.app, hooksAt(T0 + 24 * HOUR, posted));
    expect(paid?.paid).toEqual(settlement.paid);
    expect(balance(t.db, 'alice')).toBe(aliceBefore + shares(t.db, 'alice', 0));
    expect(posted.map((reply) => reply.cards[0]?.title)).toEqual([`⚖️ ${slug} resolved Yes: the dispute window ended and the money moved`]);
    // Run again (a second process, a restart): nothing more is paid or posted.
    expect(await endDisputeWindows(t.app, hooksAt(T0 + 25 * HOUR, posted))).toEqual([]);
    expect(count(t.db, 'payout')).toBe(1);
    expect(posted).toHaveLength(1);
    expect(t.db.prepare('SELECT status, resolved_at FROM markets').get()).toEqual({ status: 'resolved', resolved_at: T0 + 24 * HOUR });
    t.assertVerified();
  });

  it('a window of 0 pays at once, as before, and still records the settlement', () => {
    const t = windowed(0);
    const slug = openWithBets(t);
    const settlement = ok(t.app.service.resolveMarket(slug, 'No', 'https://example.org/failed', moderator()));
    expect(settlement.record).toMatchObject({ status: 'applied', appliedAt: T0, announcedAt: T0 });
    expect(count(t.db, 'payout')).toBe(1);
    expect(t.app.settlements.unannounced()).toEqual([]);
    t.assertVerified();
  });

  it('takes one dispute per trader per resolution, only from traders and only during the window; an open dispute holds the money', async () => {
    const t = windowed(24);
    const slug = openWithBets(t);
    expect(failure(t.app.settlements.dispute(slug, 'Not resolved yet', undefined, as('alice'))).message).toBe(
      `Market \`${slug}\` has no resolution waiting out a dispute window.`,
    );
    ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator()));
    expect(failure(t.app.settlements.dispute(slug, 'I think not', undefined, as('carol', T0 + HOUR))).message).toBe(
      `Only traders of \`${slug}\` can dispute its resolution.`,
    );
    const filed = ok(t.app.settlements.dispute(slug, 'The replication used another dataset', 'https://example.org/other', as('bob', T0 + HOUR)));
    expect(filed.dispute).toMatchObject({ userId: 'bob', status: 'open', evidence: 'https://example.org/other' });
    expect(failure(t.app.settlements.dispute(slug, 'Again', undefined, as('bob', T0 + 2 * HOUR))).message).toBe(
      `You have already disputed this resolution of \`${slug}\`.`,
    );
    expect(failure(t.app.settlements.dispute(slug, 'Too late', undefined, as('alice', T0 + 24 * HOUR))).message).toBe(
      `The dispute window of \`${slug}\` has ended.`,
    );

    const posted: Reply[] = [];
    expect(await endDisputeWindows(t.app, hooksAt(T0 + 30 * HOUR, posted))).toEqual([]);
    expect(posted.map((reply) => reply.cards[0]?.title)).toEqual([`⚖️ ${slug}: a trader disputes "resolved Yes"`]);
    expect(count(t.db, 'payout')).toBe(0);
    await endDisputeWindows(t.app, hooksAt(T0 + 31 * HOUR, posted));
    expect(posted).toHaveLength(1);
    t.assertVerified();
  });

  it('a moderator upholds: the disputes are overruled and the money moves now, once', () => {
    const t = windowed(24);
    const slug = openWithBets(t);
    ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator()));
    ok(t.app.settlements.dispute(slug, 'Wrong dataset', undefined, as('bob', T0 + HOUR)));
    expect(failure(t.app.settlements.uphold(slug, as('bob', T0 + 2 * HOUR))).code).toBe('not_moderator');
    const upheld = ok(t.app.settlements.uphold(slug, moderator(T0 + 2 * HOUR, 'mod2')));
    expect(upheld.record).toMatchObject({ status: 'applied', upheldBy: 'mod2', appliedAt: T0 + 2 * HOUR });
    expect(t.app.settlements.latest(upheld.market.id)?.disputes.map((d) => d.status)).toEqual(['overruled']);
    expect(count(t.db, 'payout')).toBe(1);
    expect(failure(t.app.settlements.uphold(slug, moderator(T0 + 3 * HOUR))).message).toBe(`Market \`${slug}\` has no resolution waiting out a dispute window.`);
    expect(t.app.settlements.applyDue(T0 + 48 * HOUR)).toEqual([]);
    expect(count(t.db, 'payout')).toBe(1);
    t.assertVerified();
  });

  it('a changed outcome supersedes the pending one with a new window; cancelling is a pending settlement too', async () => {
    const t = windowed(24);
    const slug = openWithBets(t);
    ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator()));
    ok(t.app.settlements.dispute(slug, 'It did not', undefined, as('bob', T0 + HOUR)));
    const changed = ok(t.app.service.resolveMarket(slug, 'No', 'https://example.org/retracted', moderator(T0 + 2 * HOUR)));
    expect(changed.record).toMatchObject({ status: 'pending', outcome: 1, windowEndsAt: T0 + 26 * HOUR });
    expect(changed.paid).toEqual([{ userId: 'bob', amount: shares(t.db, 'bob', 1) }]);
    // The first decision's dispute is answered by the change; bob may dispute the new one.
    expect(t.db.prepare('SELECT status FROM disputes').all()).toEqual([{ status: 'superseded' }]);
    ok(t.app.settlements.dispute(slug, 'Now I agree, but for the record', undefined, as('bob', T0 + 3 * HOUR)));
    const cancelled = ok(t.app.service.cancelMarket(slug, 'Both readings are defensible', moderator(T0 + 4 * HOUR)));
    expect(cancelled.record).toMatchObject({ status: 'pending', outcome: null });
    expect(t.db.prepare('SELECT status FROM settlements ORDER BY id').all()).toEqual([{ status: 'superseded' }, { status: 'superseded' }, { status: 'pending' }]);

    const posted: Reply[] = [];
    const [applied] = await endDisputeWindows(t.app, hooksAt(T0 + 28 * HOUR, posted));
    expect(applied?.market.status).toBe('cancelled');
    expect(count(t.db, 'refund')).toBe(2);
    expect(count(t.db, 'payout')).toBe(0);
    t.assertVerified();
  });

  it('records whether the decider held a position', () => {
    const t = windowed(24);
    const slug = openWithBets(t);
    const settlement = ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0, 'alice')));
    expect(settlement.record.deciderHeldPosition).toBe(true);
  });
});

describe('recusal', () => {
  it('refuses a moderator holding shares where the server requires recusal, naming why; one without a position decides', () => {
    const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24', CRUX_RECUSAL_REQUIRED: 'true' });
    const slug = openWithBets(t);
    ok(t.app.service.buy({ marketId: slug, outcome: 'No', amount: creditsToMillis(5) }, moderator(T0, 'mod-with-shares')));
    const refused = failure(t.app.service.resolveMarket(slug, 'No', 'https://example.org/failed', moderator(T0, 'mod-with-shares')));
    expect(refused).toEqual({
      code: 'recusal_required',
      message: `You hold shares of \`${slug}\`, and this server requires a moderator without a position to resolve or cancel a market: ask another moderator (or sell your shares first).`,
    });
    expect(failure(t.app.service.cancelMarket(slug, 'ill-posed', moderator(T0, 'mod-with-shares'))).code).toBe('recusal_required');
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM settlements').get()).toEqual({ n: 0 });
    expect(ok(t.app.service.resolveMarket(slug, 'No', 'https://example.org/failed', moderator())).record.deciderHeldPosition).toBe(false);
  });

  it('counts a trade within the recusal days as a position, even after selling, and one older than that not', () => {
    const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24', CRUX_RECUSAL_DAYS: '7' });
    const traded = (slug: string) => {
      ok(t.app.service.buy({ marketId: slug, outcome: 'No', amount: creditsToMillis(5) }, moderator(T0, 'trader-mod')));
      ok(t.app.service.sell({ marketId: slug, outcome: 'No' }, moderator(T0, 'trader-mod')));
      return slug;
    };
    const recent = traded(openWithBets(t));
    const old = traded(ok(t.app.service.openMarket({ question: 'Will it hold?', criteria: 'YES.', closesAt: T0 + 30 * DAY, links: [] }, moderator())).slug);
    // Six days and 23 hours after the trade it still counts; seven days after, it no longer does.
    const within = ok(t.app.service.resolveMarket(recent, 'Yes', 'https://example.org/a', moderator(T0 + 7 * DAY - HOUR, 'trader-mod')));
    expect(within.record.deciderHeldPosition).toBe(true);
    const after = ok(t.app.service.cancelMarket(old, 'ill-posed', moderator(T0 + 7 * DAY, 'trader-mod')));
    expect(after.record.deciderHeldPosition).toBe(false);
  });
});

describe('a two-moderator quorum', () => {
  it('holds a decision on a big market until a different moderator resolves it the same way; the window starts then', async () => {
    // The market's pool (subsidy plus 180 credits of bets) is above 100 credits.
    const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24', CRUX_QUORUM_POOL: '100' });
    const slug = openWithBets(t);
    const first = ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0, 'mod-a')));
    expect(first.record).toMatchObject({ status: 'pending', needsSecond: true, secondedBy: null });
    expect(failure(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/again', moderator(T0 + HOUR, 'mod-a'))).code).toBe('quorum_required');
    expect(failure(t.app.settlements.uphold(slug, moderator(T0 + HOUR, 'mod-b'))).code).toBe('quorum_required');
    // Unconfirmed, it never pays, however long it waits.
    expect(t.app.settlements.applyDue(T0 + 100 * HOUR)).toEqual([]);

    const second = ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0 + 2 * HOUR, 'mod-b')));
    expect(second.record).toMatchObject({ id: first.record.id, status: 'pending', secondedBy: 'mod-b', windowEndsAt: T0 + 26 * HOUR, evidence: 'https://example.org/replicated' });
    expect(t.app.settlements.applyDue(T0 + 26 * HOUR - 1)).toEqual([]);
    const posted: Reply[] = [];
    const [applied] = await endDisputeWindows(t.app, hooksAt(T0 + 26 * HOUR, posted));
    expect(applied?.record.status).toBe('applied');
    expect(count(t.db, 'payout')).toBe(1);
    t.assertVerified();
  });

  it('a decision awaiting its second can be disputed however long it waited: its window has not started', async () => {
    const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24', CRUX_QUORUM_POOL: '100' });
    const slug = openWithBets(t);
    ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0, 'mod-a')));
    // A day and more after the first decision, which is when its window would have ended had it started then.
    const said = await driveConsole(t, ['/as bob', `/market dispute market:${slug} reason:The replication used another benchmark`], T0 + 30 * HOUR);
    expect(said).toContain('Nothing is paid while it is open, even once a second moderator confirms it (it awaits one).');
    const filed = t.app.settlements.latest(t.app.views.market('console', slug).market.id);
    expect(filed?.disputes.map((dispute) => dispute.status)).toEqual(['open']);
    const [notice] = t.app.settlements.unnotifiedDisputes();
    if (notice === undefined) throw new Error('the moderators have no dispute to be told of');
    expect(disputeMessage(notice).cards[0]?.fields?.find((field) => field.name === 'What next')?.value).toContain('even once a second moderator confirms it (it awaits one)');
    const second = ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0 + 31 * HOUR, 'mod-b')));
    expect(second.record).toMatchObject({ id: filed?.settlement.id, secondedBy: 'mod-b', windowEndsAt: T0 + 55 * HOUR });
    // The open dispute holds the money past the window the second started, until a moderator answers it.
    expect(t.app.settlements.applyDue(T0 + 60 * HOUR)).toEqual([]);
    expect(count(t.db, 'payout')).toBe(0);
    ok(t.app.settlements.uphold(slug, moderator(T0 + 60 * HOUR, 'mod-a')));
    expect(count(t.db, 'payout')).toBe(1);
    t.assertVerified();

    // Without a window, it pays as soon as it is confirmed: the refusal says it awaits a second moderator.
    const atOnce = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '0', CRUX_QUORUM_POOL: '100' });
    const other = openWithBets(atOnce);
    ok(atOnce.app.service.resolveMarket(other, 'Yes', 'https://example.org/replicated', moderator(T0, 'mod-a')));
    expect(failure(atOnce.app.settlements.dispute(other, 'Wrong', undefined, as('bob', T0 + HOUR))).message).toBe(
      `The resolution of \`${other}\` awaits a second moderator, and this server has no dispute window: it pays once confirmed.`,
    );
  });

  it('a dispute filed while a decision awaited its second holds the money even if the window is set to 0 meanwhile', () => {
    const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '24', CRUX_QUORUM_POOL: '100' });
    const slug = openWithBets(t);
    ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0, 'mod-a')));
    ok(t.app.settlements.dispute(slug, 'The replication used another benchmark', undefined, as('bob', T0 + HOUR)));
    ok(t.app.realms.update({ dispute_window_hours: 0 }, moderator(T0 + 2 * HOUR, 'mod-a')));
    const second = ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0 + 3 * HOUR, 'mod-b')));
    expect(second.record).toMatchObject({ status: 'pending', secondedBy: 'mod-b' });
    expect(count(t.db, 'payout')).toBe(0);
    expect(t.app.settlements.latest(second.market.id)?.disputes.map((dispute) => dispute.status)).toEqual(['open']);
    ok(t.app.settlements.uphold(slug, moderator(T0 + 4 * HOUR, 'mod-a')));
    expect(count(t.db, 'payout')).toBe(1);
    t.assertVerified();
  });

  it('another verdict by the second moderator replaces the first and needs its own second; small markets need one moderator', () => {
    const t = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '0', CRUX_QUORUM_POOL: '100' });
    const slug = openWithBets(t);
    ok(t.app.service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator(T0, 'mod-a')));
    const other = ok(t.app.service.resolveMarket(slug, 'No', 'https://example.org/failed', moderator(T0 + HOUR, 'mod-b')));
    expect(other.record).toMatchObject({ outcome: 1, decidedBy: 'mod-b', needsSecond: true, secondedBy: null, status: 'pending' });
    // With no window, the second moderator's confirmation pays at once.
    const paid = ok(t.app.service.resolveMarket(slug, 'No', 'https://example.org/failed', moderator(T0 + 2 * HOUR, 'mod-a')));
    expect(paid.record).toMatchObject({ status: 'applied', secondedBy: 'mod-a' });
    expect(count(t.db, 'payout')).toBe(1);

    const small = testApp({ CRUX_DISPUTE_WINDOW_HOURS: '0', CRUX_QUORUM_POOL: '100000' });
    const smallSlug = openWithBets(small);
    expect(ok(small.app.service.resolveMarket(smallSlug, 'Yes', 'https://example.org/replicated', moderator())).record).toMatchObject({ status: 'applied', needsSecond: false });
  });
});

/** Lists the due settlements as the job reads them, then lets `meanwhile` commit before any is applied. */
class DisputedMeanwhile extends SqliteSettlementStore {
  meanwhile: () => void = () => undefined;

  override dueToApply(now: number): SettlementRecord[] {
    const due = super.dueToApply(now);
    const meanwhile = this.meanwhile;
    this.meanwhile = () => undefined;
    meanwhile();
    return due;
  }
}

describe('the window-end job', () => {
  it('leaves a settlement disputed after it listed the due ones (from another shard, say): no money moves, the dispute stays open', () => {
    const db = freshMemoryDatabase();
    const store = new SqliteStore(db);
    const records = new DisputedMeanwhile(db);
    const conditions = new SqliteConditionStore(db);
    const settlements = new SettlementService(store, records, () => ({ windowMs: 24 * HOUR, recusalRequired: false, recusalMs: 0, quorumPool: 0 }), conditions);
    const service = new MarketService(store, () => ({ startingGrant: creditsToMillis(1_000), dailyAllowance: 0, defaultLiability: 1_000 }), settlements, conditions);
    const slug = ok(service.openMarket({ question: 'Will the ROME result replicate?', criteria: 'YES if it does.', closesAt: T0 + 30 * DAY }, moderator())).slug;
    ok(service.buy({ marketId: slug, outcome: 'Yes', amount: creditsToMillis(100) }, as('alice')));
    ok(service.buy({ marketId: slug, outcome: 'No', amount: creditsToMillis(80) }, as('bob')));
    ok(service.resolveMarket(slug, 'Yes', 'https://example.org/replicated', moderator()));

    records.meanwhile = () => ok(settlements.dispute(slug, 'It did not replicate', undefined, as('bob', T0 + 24 * HOUR - 1)));
    expect(settlements.applyDue(T0 + 24 * HOUR).map(({ result }) => ok(result))).toEqual([undefined]);
    expect(db.prepare('SELECT d.status, s.status AS settlement FROM disputes d JOIN settlements s ON s.id = d.settlement_id').all()).toEqual([
      { status: 'open', settlement: 'pending' },
    ]);
    expect(count(db, 'payout')).toBe(0);
  });
});
