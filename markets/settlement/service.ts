import { CONDITION_RESOLVER, conditionFailedReason, conditionalAction } from '../cruxes/conditions.ts';
import type { ConditionStore } from '../cruxes/store.ts';
import { CruxError, type Result } from '../errors.ts';
import { IGNORE_EVENTS, type MarketEventSink } from '../events.ts';
import type { Market } from '../market.ts';
import type { Millis } from '../money.ts';
import type { RealmId } from '../realms/realm.ts';
import { requireMarket, requireMarketByKey } from '../service.ts';
import type { Store } from '../store.ts';
import type { LatestSettlement } from '../views.ts';
import { type Context, requireModerator, runUseCase } from '../use-case.ts';
import { sameVerdict } from './distribution.ts';
import { owedFor, paySettlement, remainderOf } from './pay.ts';
import type { SettlementStore } from './store.ts';
import type { Payment } from './payouts.ts';
import type { Dispute, Settlement, SettlementDecision, SettlementRecord, ShownPending } from './types.ts';
import { awaitsSecond, disputeRefusal, openDisputeCount } from './window.ts';

export interface SettlementRules {
  /** The dispute window in milliseconds; 0 pays at once. */
  windowMs: number;
  /** Whether a decider holding a position in the market is refused. */
  recusalRequired: boolean;
  /** How far back a decider's trade in the market counts as a position, in milliseconds; 0: only shares held now. */
  recusalMs: number;
  /** Pools of at least this many millis need a second, different moderator to confirm a decision; 0 never. */
  quorumPool: Millis;
}

/** A realm's rules, read at each decision, so a moderator's change applies to the next one. */
export type SettlementRulesOf = (realm: RealmId) => SettlementRules;

export interface DisputeFiled {
  dispute: Dispute;
  market: Market;
  settlement: SettlementRecord;
}

export interface DisputeNotice extends DisputeFiled {
  /** Disputes of the same settlement so far, this one included. */
  count: number;
}

/**
 * Settlements: a decision to resolve or cancel is recorded, and with a dispute window it waits — trading stopped,
 * payouts computed, nothing paid — until the window ends undisputed (the job applies it), a moderator upholds it, or a
 * new decision supersedes it. Applying marks the record applied in the same transaction as the payments, and only a
 * pending record can be marked: the money of one settlement moves at most once, whoever races to apply it.
 */
export class SettlementService {
  constructor(
    private readonly store: Store,
    private readonly records: SettlementStore,
    private readonly rulesOf: SettlementRulesOf,
    private readonly conditions: ConditionStore,
    /** Told, inside the transaction, when a settlement starts waiting and when its money moves. */
    private readonly events: MarketEventSink = IGNORE_EVENTS,
  ) {}

  /**
   * Records a decision about `market` inside the deciding use case's transaction. A decision already waiting is
   * superseded (a changed outcome starts a new window). Without a window the money moves now.
   */
  decide(market: Market, decision: SettlementDecision, shown?: ShownPending): Settlement {
    const { windowMs, recusalRequired, quorumPool } = this.rulesOf(market.realm);
    const previous = this.records.pendingFor(market.id);
    if (shown !== undefined && (previous?.id ?? null) !== shown.pendingId) {
      throw new CruxError(
        'invalid_input',
        `Another moderator decided \`${market.slug}\` after you asked, so yours would replace a decision you were not shown: nothing was changed. Ask again to see the decision now pending.`,
      );
    }
    const position = this.positionOf(market, decision.decidedBy, decision.decidedAt);
    const deciderHeldPosition = position !== null;
    if (position !== null && recusalRequired) {
      const way = position.holds ? 'sell your shares first' : 'wait until your last trade is older than that';
      throw new CruxError(
        'recusal_required',
        `${describePosition(`\`${market.slug}\``, position)}, and this server requires a moderator without a position to resolve or cancel a market: ask another moderator (or ${way}).`,
      );
    }
    if (previous && awaitsSecond(previous) && sameVerdict(previous, decision)) return this.second(market, previous, decision, windowMs);
    if (previous) this.records.supersede(previous.id);
    const needsSecond = quorumPool > 0 && market.pool >= quorumPool;
    const id = this.records.insert({
      ...decision,
      marketId: market.id,
      windowEndsAt: decision.decidedAt + windowMs,
      deciderHeldPosition,
      status: 'pending',
      needsSecond,
      secondedBy: null,
      appliedAt: null,
      upheldBy: null,
      announcedAt: null,
    }, market.outcomes.length);
    const record = this.requireRecord(id);
    // The decider's own reply tells the channel: nothing is left for the job to announce.
    if (windowMs === 0 && !needsSecond) return this.apply(record, decision.decidedAt, null, true);
    return this.hold(market, record, decision.decidedAt);
  }

  /**
   * A second moderator confirms a decision that needs one: it must be another moderator, and the same verdict (another
   * verdict supersedes it instead). The window starts from the second.
   */
  private second(market: Market, pending: SettlementRecord, decision: SettlementDecision, windowMs: number): Settlement {
    if (pending.decidedBy === decision.decidedBy) {
      throw new CruxError(
        'quorum_required',
        `\`${market.slug}\` holds more than this server's quorum pool, so a second, different moderator must confirm this resolution: you already decided it.`,
      );
    }
    this.records.second(pending.id, decision.decidedBy, decision.decidedAt + windowMs);
    const record = this.requireRecord(pending.id);
    // A dispute filed while it waited holds the money until a moderator upholds the decision, as it was told, even
    // where the server has since done away with its window.
    if (windowMs === 0 && openDisputeCount(this.records.disputesOf(pending.id)) === 0) return this.apply(record, decision.decidedAt, null, true);
    return this.hold(market, record, decision.decidedAt);
  }

  /** What settling `market` as `verdict` would pay each trader now, less what earlier settlements paid them (see owedFor). */
  owed(market: Market, verdict: Pick<SettlementDecision, 'outcome' | 'probabilities'>): Payment[] {
    return owedFor(this.store, market, verdict).filter((payment) => payment.amount > 0);
  }

  /** Stops trading and shows what the settlement will pay, without paying it. */
  private hold(market: Market, record: SettlementRecord, at: number): Settlement {
    if (market.status === 'open') this.store.saveMarketState(market.id, { ...market, status: 'closed', closedAt: Math.min(market.closesAt, at) });
    const owed = owedFor(this.store, market, record);
    const held = requireMarketByKey(this.store, market.id);
    this.events({ kind: 'pending', market: held, settlement: record, at });
    return { market: held, paid: owed.filter((p) => p.amount > 0), returned: remainderOf(market, owed), record, cancelledConditionals: [] };
  }

  /** A trader of the market challenges its pending settlement, once per settlement; the moderators are told by the job. */
  dispute(slug: string, reason: string, evidence: string | undefined, context: Context): Result<DisputeFiled> {
    return runUseCase(this.store, context, () => {
      const market = requireMarket(this.store, context.realm, slug);
      const settlement = this.records.pendingFor(market.id);
      const userId = context.actor.userId;
      const refusal = disputeRefusal({
        market,
        settlement,
        isTrader: this.store.netPaid(market.id).some((trader) => trader.userId === userId),
        earlier: settlement && this.records.disputeBy(settlement.id, userId),
        reason,
        now: context.now,
        windowMs: this.rulesOf(market.realm).windowMs,
      });
      if (refusal !== undefined || settlement === undefined) throw new CruxError('invalid_input', refusal ?? 'Nothing to dispute.');
      const id = this.records.insertDispute({
        settlementId: settlement.id,
        userId,
        reason: reason.trim(),
        evidence: evidence?.trim() || null,
        createdAt: context.now,
        status: 'open',
        notifiedAt: null,
      });
      return { dispute: this.requireDispute(id), market, settlement };
    });
  }

  /**
   * A moderator ends the window of a market's pending settlement now: its disputes are overruled and the money moves.
   * `shown`, what the moderator was shown before confirming, must still be so: the same decision, as many disputes.
   */
  uphold(slug: string, context: Context, shown?: { settlementId: number; openDisputes: number }): Result<Settlement> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'uphold a resolution');
      const market = requireMarket(this.store, context.realm, slug);
      const pending = this.records.pendingFor(market.id);
      if (!pending) throw new CruxError('invalid_input', `Market \`${market.slug}\` has no resolution waiting out a dispute window.`);
      const openDisputes = openDisputeCount(this.records.disputesOf(pending.id));
      if (shown !== undefined && (shown.settlementId !== pending.id || shown.openDisputes !== openDisputes)) {
        throw new CruxError(
          'invalid_input',
          `The resolution of \`${market.slug}\` waiting out its window changed after you asked (a new decision, or a new dispute): nothing was paid. Run /mod uphold again to see it as it is now.`,
        );
      }
      if (awaitsSecond(pending)) {
        throw new CruxError('quorum_required', `This resolution of \`${market.slug}\` awaits a second moderator: another moderator confirms it by resolving it the same way first.`);
      }
      return this.apply(pending, context.now, context.actor.userId, true);
    });
  }

  /**
   * The job: applies every settlement whose window ended with no open dispute, each in its own transaction. Each is
   * asked again inside its transaction, since the list was read before: one a moderator upheld or replaced meanwhile,
   * or one a trader disputed meanwhile (from another shard, say), is left alone.
   */
  applyDue(now: number): { record: SettlementRecord; result: Result<Settlement | undefined> }[] {
    return this.records.dueToApply(now).map((due) => ({
      record: due,
      result: runUseCase(this.store, { now }, () => {
        if (!this.records.isDueToApply(due.id, now)) return undefined;
        return this.apply(this.requireRecord(due.id), now, null, false);
      }),
    }));
  }

  /**
   * Applied settlements not yet posted (the job posts them, then marks each), rebuilt from the ledger. The
   * conditionals a settlement cancelled have records of their own here, so each is posted (and marked) on its own.
   */
  unannounced(): Settlement[] {
    return this.records.unannounced().map((record) => {
      const market = requireMarketByKey(this.store, record.marketId);
      if (record.appliedAt === null) throw new Error(`settlement ${record.id} is listed as applied but has no applied time`);
      return { market, ...this.records.paidOut(market.id, record.appliedAt), record, cancelledConditionals: [] };
    });
  }

  markAnnounced(settlementId: number, at: number): void {
    this.store.atomically(() => this.records.markAnnounced(settlementId, at));
  }

  /** Disputes the moderators have not been told of yet. */
  unnotifiedDisputes(): DisputeNotice[] {
    return this.records.unnotifiedDisputes().map((dispute) => {
      const settlement = this.requireRecord(dispute.settlementId);
      return { dispute, settlement, market: requireMarketByKey(this.store, settlement.marketId), count: this.records.disputesOf(settlement.id).length };
    });
  }

  markDisputeNotified(disputeId: number, at: number): void {
    this.store.atomically(() => this.records.markDisputeNotified(disputeId, at));
  }

  /** The market's latest settlement (pending or applied) and its disputes, for cards and exports. */
  latest(marketId: string): LatestSettlement | undefined {
    const settlement = this.records.latestFor(marketId);
    return settlement && { settlement, disputes: this.records.disputesOf(settlement.id) };
  }

  private apply(record: SettlementRecord, at: number, upheldBy: string | null, announced: boolean): Settlement {
    if (!this.records.markApplied(record.id, at, upheldBy)) throw new Error(`settlement ${record.id} is not pending: it cannot be applied again`);
    if (announced) this.records.markAnnounced(record.id, at);
    this.records.closeDisputes(record.id, 'overruled');
    const market = requireMarketByKey(this.store, record.marketId);
    const { paid, returned } = paySettlement(this.store, market, owedFor(this.store, market, record), {
      outcome: record.outcome,
      probabilities: record.probabilities,
      decidedBy: record.decidedBy,
      evidence: record.evidence,
      at,
    });
    const settled = requireMarketByKey(this.store, market.id);
    this.events({ kind: 'settled', market: settled, paid, at });
    return { market: settled, paid, returned, record: this.requireRecord(record.id), cancelledConditionals: this.cancelFailedConditionals(settled, at, announced) };
  }

  /**
   * Cancels an unsettled conditional whose condition settled otherwise, exactly as a moderator's cancel refunds, at
   * once (the condition's own settlement already waited out its window) and in the name of CONDITION_RESOLVER, which
   * marks it as the condition's doing so that a correction can reinstate it. A decision of its own still waiting is
   * superseded. `announced`: whether whoever applied the condition posts this cancellation with it.
   */
  cancelConditional(conditional: Market, condition: Market, assumed: number, at: number, announced = true): Settlement {
    const pending = this.records.pendingFor(conditional.id);
    if (pending) this.records.supersede(pending.id);
    const id = this.records.insert({
      outcome: null,
      decidedBy: CONDITION_RESOLVER,
      evidence: conditionFailedReason(condition, assumed),
      decidedAt: at,
      marketId: conditional.id,
      windowEndsAt: at,
      deciderHeldPosition: false,
      status: 'pending',
      needsSecond: false,
      secondedBy: null,
      appliedAt: null,
      upheldBy: null,
      announcedAt: null,
    }, conditional.outcomes.length);
    return this.apply(this.requireRecord(id), at, null, announced);
  }

  /** After `settled` was applied: every unsettled market conditional on it whose condition failed is cancelled, down the chain. */
  private cancelFailedConditionals(settled: Market, at: number, announced: boolean): Settlement[] {
    return this.conditions.conditionalsOf(settled.id).flatMap((condition) => {
      const conditional = requireMarketByKey(this.store, condition.marketId);
      // A resolved conditional is a correction's to undo (ResolutionService), never a second settlement's.
      if (conditionalAction(settled, condition.outcome, conditional) !== 'cancel' || conditional.status === 'resolved') return [];
      const { cancelledConditionals, ...cancelled } = this.cancelConditional(conditional, settled, condition.outcome, at, announced);
      return [{ ...cancelled, cancelledConditionals: [] }, ...cancelledConditionals];
    });
  }

  /**
   * Whether `userId` has a position in the market at `at`: holds shares of it, or traded it within the realm's
   * recusal days. What the confirmation warns of, the recusal rule refuses and every settlement records.
   */
  positionOf(market: Market, userId: string, at: number): DeciderPosition | null {
    const holds = this.store.positions(market.id).some((p) => p.userId === userId && p.shares > 0);
    const { recusalMs } = this.rulesOf(market.realm);
    const lastTradeAt = recusalMs > 0 ? this.records.lastTradeAt(market.id, userId) : undefined;
    const recent = lastTradeAt !== undefined && lastTradeAt > at - recusalMs ? { lastTradeAt, withinDays: recusalMs / DAY_MS } : undefined;
    return holds || recent !== undefined ? { holds, recent } : null;
  }

  private requireRecord(id: number): SettlementRecord {
    const record = this.records.find(id);
    if (!record) throw new Error(`settlement ${id} vanished`);
    return record;
  }

  private requireDispute(id: number): Dispute {
    const dispute = this.records.findDispute(id);
    if (!dispute) throw new Error(`dispute ${id} vanished`);
    return dispute;
  }
}

export { awaitsSecond } from './window.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A decider's stake in a market: shares held now, and a trade within the realm's recusal days. */
export interface DeciderPosition {
  holds: boolean;
  recent: { lastTradeAt: number; withinDays: number } | undefined;
}

/** "You hold shares of <market>" or "You traded <market> within the last 7 day(s)…", for the warning and the refusal. */
export function describePosition(market: string, position: DeciderPosition): string {
  if (position.holds) return `You hold shares of ${market}`;
  return `You traded ${market} within the last ${position.recent?.withinDays ?? 0} day(s), which this server counts as holding a position`;
}
