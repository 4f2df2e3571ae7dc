import { CruxError, type Result } from '../errors.ts';
import type { MarketEvent } from '../events.ts';
import type { Market } from '../market.ts';
import { guildOfRealm, type RealmId } from '../realms/realm.ts';
import { requireMarket, requireMarketByKey } from '../service.ts';
import { describeVerdict } from '../settlement/distribution.ts';
import { awaitsSecond } from '../settlement/service.ts';
import type { RememberedRequest, Store } from '../store.ts';
import { remakeQuote } from '../trade.ts';
import { parseTradeRecord } from '../trade-record.ts';
import { type Context, runUseCase } from '../use-case.ts';
import { planDm } from './coalesce.ts';
import { checkEvidenceUrl } from '../evidence/url.ts';
import { isBigMove, largestMove, moveWithin } from './moves.ts';
import { retryAt } from './retry.ts';
import { type Notice, NOTIFICATION_KINDS, type NotificationKind, switchOf } from './notice.ts';
import type { NotificationStore, OutboxEntry } from './store.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** "Closes soon" and "moved a lot" are judged over these. */
export const CLOSING_NOTICE_MS = DAY_MS;
export const MOVE_WINDOW_MS = 6 * HOUR_MS;
/**
 * How long a claimed batch of thread lines holds back the market's next: longer than any post takes, rate limits
 * included, so it runs out only when the process that claimed it died posting (its batch is lost, as any claimed line is).
 */
export const POSTING_HOLD_MS = 2 * 60 * 1000;

/** The per-server settings the conversation acts on. */
export interface ConversationSettings {
  threadMode: boolean;
  /** Percentage points a single trade must move a price for its trader to be asked why. */
  reasonPoints: number;
  /** Percentage points within 6 hours that tell holders and followers of a move. */
  alertPoints: number;
}

export type ConversationSettingsOf = (realm: RealmId) => ConversationSettings;

export const MAX_REASON_LENGTH = 200;

/** A reason is one line of text, or a link, which is checked like evidence. */
function oneLineReason(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') throw new CruxError('invalid_input', 'Give a reason, or leave the form closed: it is optional.');
  if (line.length > MAX_REASON_LENGTH) throw new CruxError('invalid_input', `A reason is at most ${MAX_REASON_LENGTH} characters.`);
  return /^https?:\/\//i.test(line) && !line.includes(' ') ? checkEvidenceUrl(line) : line;
}

/**
 * The move a request made on `market`, from the request's own row (found by its key, however long the ledger; kept a
 * day, see REQUEST_MEMORY_MS, far longer than the prompt that asks for the reason); undefined unless it was a trade there.
 */
function moveOn(market: Market, request: RememberedRequest): { userId: string | null; pricesBefore: number[]; pricesAfter: number[] } | undefined {
  const record = parseTradeRecord(request.result);
  if (record === undefined || record.marketId !== market.id) return undefined;
  const { pricesBefore, pricesAfter } = remakeQuote(market, record.quote);
  return { userId: request.userId, pricesBefore, pricesAfter };
}

/** DMs go to members of a Discord server: the console's names (`bob`) are nobody on Discord. */
function takesDms(realm: RealmId): boolean {
  return guildOfRealm(realm) !== null;
}

/** A claimed batch of a market's thread lines, and the thread to post them in. */
export interface ThreadBatch {
  threadId: string;
  entries: OutboxEntry[];
}

/**
 * Who is told what about a market, and when: thread lines for every event (where the server keeps threads), DMs to
 * the members it concerns who left that switch on, coalesced to one per market per hour. Everything is written to the
 * outbox in the transaction of the event; the edges send from there.
 */
export class NotificationService {
  constructor(
    private readonly store: Store,
    private readonly notes: NotificationStore,
    private readonly settings: ConversationSettingsOf,
  ) {}

  /** The sink the use cases call, inside their own transaction. */
  readonly record = (event: MarketEvent): void => {
    const { market, at } = event;
    this.toThread(market, this.threadNotices(event), at);
    for (const [userId, notice] of this.dmNotices(event)) this.tell(market, userId, notice, at);
  };

  /** Queues lines for a market's thread: only a market with a channel has a card to hang one on (not the console's). */
  private toThread(market: Market, notices: Notice[], at: number): void {
    if (notices.length === 0 || market.channelId === null || !this.settings(market.realm).threadMode) return;
    this.notes.enqueue({ realm: market.realm, marketId: market.id, target: 'thread', userId: null, notices, createdAt: at, dueAt: at });
  }

  private threadNotices(event: MarketEvent): Notice[] {
    switch (event.kind) {
      case 'trade': {
        const { quote, market } = event;
        return [
          {
            kind: 'trade',
            userId: event.userId,
            side: quote.side,
            outcome: market.outcomes[quote.outcome] ?? '?',
            shares: quote.shares,
            cash: quote.cash,
            before: quote.pricesBefore[quote.outcome] ?? 0,
            after: quote.pricesAfter[quote.outcome] ?? 0,
          },
        ];
      }
      case 'evidence': {
        const { item, market } = event;
        return [
          {
            kind: 'evidence',
            number: item.number,
            url: item.url,
            stance: item.stance,
            note: item.note,
            userId: item.addedBy,
            outcome: market.outcomes[0] ?? '?',
            priceThen: item.pricesThen[0] ?? 0,
          },
        ];
      }
      case 'edited':
        return event.edits.map((edit) => ({ kind: 'edit', field: edit.field, from: edit.from, to: edit.to, reason: edit.reason, userId: edit.editedBy }));
      case 'proposal':
        return [{ kind: 'proposal', proposalId: event.proposalId, verdict: event.verdict }];
      case 'pending': {
        const { settlement, market } = event;
        const outcome = settlement.outcome === null ? null : describeVerdict(market.outcomes, { outcome: settlement.outcome, probabilities: settlement.probabilities });
        return [{ kind: 'pending', outcome, windowEndsAt: awaitsSecond(settlement) ? null : settlement.windowEndsAt }];
      }
      case 'settled':
        return [this.settledNotice(event.market, event.paid.reduce((sum, p) => sum + p.amount, 0), event.paid.length)];
    }
  }

  private settledNotice(market: Market, paid: number, payees: number): Notice {
    const outcome = market.resolution?.outcome ?? null;
    const described = outcome === null ? null : describeVerdict(market.outcomes, { outcome, probabilities: market.resolution?.probabilities });
    return { kind: 'settled', outcome: described, evidence: market.resolution?.evidence ?? '', paid, payees };
  }

  /** Per member concerned, what they would be told by DM. */
  private dmNotices(event: MarketEvent): [string, Notice][] {
    const { market } = event;
    switch (event.kind) {
      case 'settled': {
        const paid = new Map(event.paid.map((p) => [p.userId, p.amount]));
        return this.audience(market).map((userId) => [userId, this.settledNotice(market, paid.get(userId) ?? 0, 1)]);
      }
      case 'proposal':
        return this.audience(market).map((userId) => [userId, { kind: 'proposal', proposalId: event.proposalId, verdict: event.verdict }]);
      case 'edited': {
        // Before anyone else traded there is nobody but the editor to tell; after, every holder bet on the old text.
        const holders = this.audience(market).filter((userId) => userId !== event.edits[0]?.editedBy);
        return holders.flatMap((userId) => this.threadNotices(event).map((notice): [string, Notice] => [userId, notice]));
      }
      default:
        return [];
    }
  }

  /** Holders and followers of a market. */
  private audience(market: Market): string[] {
    const holders = this.store.positions(market.id).map((position) => position.userId);
    return [...new Set([...holders, ...this.notes.followers(market.id)])].sort();
  }

  /** Whether one member is of a market's audience (see `audience`), without reading the whole of it. */
  private inAudience(market: Market, userId: string): boolean {
    return this.store.holds(market.id, userId) || this.notes.follows(market.id, userId);
  }

  /** Queues one DM notice for one member of a server, unless they turned its switch off; joins the DM waiting for them. */
  private tell(market: Market, userId: string, notice: Notice, at: number): void {
    const kind = switchOf(notice);
    if (!takesDms(market.realm) || kind === undefined || this.notes.disabledKinds(market.realm, userId).has(kind)) return;
    const plan = planDm(this.notes.recipientHistory(userId, market.id), at);
    if (plan.kind === 'join') this.notes.appendNotices(plan.outboxId, [notice]);
    else this.notes.enqueue({ realm: market.realm, marketId: market.id, target: 'dm', userId, notices: [notice], createdAt: at, dueAt: plan.dueAt });
  }

  /**
   * What of a waiting DM its member is still to be told, by the rules it was queued by: a switch turned off, or a
   * market unfollowed (or sold out of) while the DM waited, takes those notices out. The stale reminder is the
   * creator's, whoever holds the market.
   */
  private stillTold(entry: OutboxEntry): Notice[] {
    const market = this.store.findMarket(entry.marketId);
    const userId = entry.userId;
    if (market === undefined || userId === null || !takesDms(market.realm)) return [];
    const off = this.notes.disabledKinds(market.realm, userId);
    const inAudience = this.inAudience(market, userId);
    return entry.notices.filter((notice) => {
      const kind = switchOf(notice);
      return kind !== undefined && !off.has(kind) && (notice.kind === 'stale' ? market.createdBy === userId : inAudience);
    });
  }

  /* Reasons for big moves. */

  /** Whether a trade moved a price enough, in its realm, to ask its trader why. */
  asksReason(realm: RealmId, before: readonly number[], after: readonly number[]): boolean {
    return isBigMove(before, after, this.settings(realm).reasonPoints);
  }

  /**
   * A trader's one-line reason (or evidence link) for their big move, posted in the thread beside it. Only the trader
   * may give it, once, and only for a move the server asks reasons for.
   */
  explainMove(slug: string, tradeRequestId: string, text: string, context: Context): Result<Market> {
    return runUseCase(this.store, context, () => {
      const market = requireMarket(this.store, context.realm, slug);
      const request = this.store.recallRequest(tradeRequestId);
      if (request === undefined) throw new CruxError('invalid_input', 'That move is more than a day old, so its reason can no longer be added.');
      const trade = moveOn(market, request);
      const userId = context.actor.userId;
      if (trade === undefined || trade.userId !== userId) {
        throw new CruxError('invalid_input', 'Only the trader who made that move can give its reason.');
      }
      if (!this.asksReason(market.realm, trade.pricesBefore, trade.pricesAfter)) throw new CruxError('invalid_input', 'That trade did not move the price enough to need a reason.');
      const reason = oneLineReason(text);
      if (!this.notes.saveMoveReason(tradeRequestId, market.id, userId, reason, context.now)) {
        throw new CruxError('invalid_input', 'You already gave the reason for that move.');
      }
      const move = largestMove(trade.pricesBefore, trade.pricesAfter);
      const notice: Notice = { kind: 'reason', userId, text: reason, outcome: market.outcomes[move.outcome] ?? '?', before: move.from, after: move.to };
      this.toThread(market, [notice], context.now);
      return market;
    });
  }

  /* Member switches. */

  /** The member's switches in this realm, every kind with whether it is on. */
  switches(realm: RealmId, userId: string): Record<NotificationKind, boolean> {
    const off = this.notes.disabledKinds(realm, userId);
    return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, !off.has(kind)])) as Record<NotificationKind, boolean>;
  }

  setSwitches(changes: Partial<Record<NotificationKind, boolean>>, context: Context): Result<Record<NotificationKind, boolean>> {
    return runUseCase(this.store, context, () => {
      for (const kind of NOTIFICATION_KINDS) {
        const enabled = changes[kind];
        if (enabled !== undefined) this.notes.setSwitch(context.realm, context.actor.userId, kind, enabled);
      }
      return this.switches(context.realm, context.actor.userId);
    });
  }

  follow(slug: string, following: boolean, context: Context): Result<{ market: Market; changed: boolean }> {
    return runUseCase(this.store, context, () => {
      const market = requireMarket(this.store, context.realm, slug);
      if (following && (market.status === 'resolved' || market.status === 'cancelled')) {
        throw new CruxError('market_settled', `\`${market.slug}\` is already ${market.status}; there is nothing more to follow.`);
      }
      const changed = following ? this.notes.follow(market.id, context.actor.userId, context.now) : this.notes.unfollow(market.id, context.actor.userId);
      return { market, changed };
    });
  }

  /* Threads and delivery, for the edges. */

  thread(marketId: string): string | null | undefined {
    return this.notes.thread(marketId)?.threadId;
  }

  /** Records the thread opened on a market's card (null: it could not be); says whether moderators must be told. */
  recordThread(marketId: string, threadId: string | null, at: number): { tellModerators: boolean } {
    return this.store.atomically(() => {
      const market = requireMarketByKey(this.store, marketId);
      const tellModerators = threadId === null && !this.notes.threadRefusedBefore(market.realm);
      this.notes.setThread(marketId, threadId, at);
      return { tellModerators };
    });
  }

  /**
   * Claims a market's waiting thread lines to post. Lines of a market whose thread could not be opened are dropped;
   * those of a market whose card is not posted yet wait for it. So the thread keeps their order, all of a market's
   * lines wait while some wait to be tried again (see `retryLater`), and while another batch of the market is being
   * posted, by this process or another, until `threadBatchDone` (or, its process gone, for POSTING_HOLD_MS).
   */
  claimThreadBatch(marketId: string, now: number): ThreadBatch | undefined {
    return this.store.bookkeeping(() => {
      const entries = this.notes.pendingThreadEntries(marketId);
      const thread = this.notes.thread(marketId);
      const retrying = entries.some((entry) => entry.attempts > 0 && entry.dueAt > now);
      if (entries.length === 0 || thread === undefined || retrying) return undefined;
      if (thread.postingSince !== null && now - thread.postingSince < POSTING_HOLD_MS) return undefined;
      const ids = entries.map((entry) => entry.id);
      if (thread.threadId === null) {
        this.notes.mark(ids, 'dropped', now);
        return undefined;
      }
      this.notes.mark(ids, 'sending', now);
      this.notes.setPostingSince(marketId, now);
      return { threadId: thread.threadId, entries };
    });
  }

  /** The batch claimed for a market's thread is posted, or given up on: the market's next batch may go. */
  threadBatchDone(marketId: string): void {
    this.store.bookkeeping(() => this.notes.setPostingSince(marketId, null));
  }

  marketsWithThreadLines(): string[] {
    return this.notes.marketsWithPendingThreadEntries();
  }

  /**
   * Claims the next DM due now, right before it is sent, holding only what its member is still to be told (a DM left
   * with nothing is dropped, and the next one tried). Once claimed, a DM is never sent again, so a process that dies
   * loses at most the one it was sending, and the others stay waiting.
   */
  claimNextDm(now: number): OutboxEntry | undefined {
    // Most passes (one follows every bet) find nothing due: looking first, outside the write lock, spares the trades of
    // the other shards a wait for it. What another process claims meanwhile is looked for again inside.
    if (this.notes.nextDueDm(now) === undefined) return undefined;
    return this.store.atomically(() => {
      for (let due = this.notes.nextDueDm(now); due !== undefined; due = this.notes.nextDueDm(now)) {
        const notices = this.stillTold(due);
        this.notes.mark([due.id], notices.length === 0 ? 'dropped' : 'sending', now);
        if (notices.length > 0) return { ...due, notices };
      }
      return undefined;
    });
  }

  /** After the send: delivered, or dropped (DMs closed, thread gone). */
  finish(ids: readonly number[], delivered: boolean, now: number): void {
    this.store.bookkeeping(() => this.notes.mark(ids, delivered ? 'sent' : 'dropped', now));
  }

  /**
   * After a send Discord left unanswered (a 5xx, a timeout, a connection reset): each entry waits to be tried again
   * with the notices it holds now (those not yet sent), later each time, and is dropped after MAX_SEND_ATTEMPTS.
   * Returns the ids given up on.
   */
  retryLater(entries: readonly OutboxEntry[], now: number): number[] {
    return this.store.bookkeeping(() =>
      entries.flatMap((entry) => {
        const dueAt = retryAt(entry.attempts + 1, now);
        if (dueAt !== undefined) {
          this.notes.retry(entry.id, dueAt, entry.notices);
          return [];
        }
        this.notes.mark([entry.id], 'dropped', now);
        return [entry.id];
      }),
    );
  }

  /* Scheduled reminders: each decided once per its period, in the transaction that queues it. */

  /** Holders and followers of markets closing within a day. */
  remindClosing(now: number): Result<number> {
    return this.remind(this.notes.marketsClosingBetween(now, now + CLOSING_NOTICE_MS), 'closing', now, (market) => {
      const last = this.notes.reminderAt(market.id, 'closing');
      // A reminder announced a close within a day of it: a close moved later since then is announced again as it nears.
      const announced = last !== undefined && market.closesAt <= last + CLOSING_NOTICE_MS;
      return announced ? [] : this.audienceNotices(market, { kind: 'closing', closesAt: market.closesAt });
    });
  }

  /** Holders and followers of markets that moved by the server's alert threshold within 6 hours; once per 6 hours. */
  remindMoves(now: number): Result<number> {
    return this.remind(this.notes.marketsTradedSince(now - MOVE_WINDOW_MS), 'moved', now, (market) => {
      const last = this.notes.reminderAt(market.id, 'moved');
      if (last !== undefined && last > now - MOVE_WINDOW_MS) return [];
      const move = moveWithin(this.store.priceHistorySince(market.id, now - MOVE_WINDOW_MS), now, MOVE_WINDOW_MS, this.settings(market.realm).alertPoints);
      if (move === undefined) return [];
      const outcome = market.outcomes[move.outcome] ?? '?';
      return this.audienceNotices(market, { kind: 'moved', outcome, from: move.from, to: move.to, hours: MOVE_WINDOW_MS / HOUR_MS });
    });
  }

  /** The creator of a market closed and unresolved for `days` days; again every `days` days. */
  remindStale(now: number, days: number): Result<number> {
    if (days === 0) return { ok: true, value: 0 };
    const period = days * DAY_MS;
    return this.remind(this.notes.marketsClosedUnresolvedSince(now - period), 'stale', now, (market) => {
      const last = this.notes.reminderAt(market.id, 'stale');
      return last !== undefined && last > now - period ? [] : [[market.createdBy, { kind: 'stale', days }]];
    });
  }

  private audienceNotices(market: Market, notice: Notice): [string, Notice][] {
    return this.audience(market).map((userId) => [userId, notice]);
  }

  private remind(marketIds: string[], kind: string, now: number, decide: (market: Market) => [string, Notice][]): Result<number> {
    return runUseCase(this.store, { now }, () => {
      let told = 0;
      for (const id of marketIds) {
        const market = requireMarketByKey(this.store, id);
        const notices = decide(market);
        if (notices.length === 0) continue;
        for (const [userId, notice] of notices) this.tell(market, userId, notice, now);
        this.notes.setReminder(market.id, kind, now);
        told += notices.length;
      }
      return told;
    });
  }
}
