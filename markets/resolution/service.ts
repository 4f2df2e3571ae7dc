import { CruxError, type Result } from '../errors.ts';
import type { OpenMarketInput } from '../inputs.ts';
import { blankEntry, marketAccount, MINT_ACCOUNT, userAccount } from '../ledger.ts';
import type { Market, Resolution } from '../market.ts';
import type { Millis } from '../money.ts';
import {
  type Context,
  type MarketService,
  type OutcomeRef,
  payoutsFor,
  refundsFor,
  requireMarket,
  requireMarketByKey,
  requireModerator,
  resolveOutcome,
  runUseCase,
  type Settlement,
} from '../service.ts';
import { mapOdds, type OutsideReading } from '../sources/odds.ts';
import { backoffDelay } from '../backoff.ts';
import { isTerminalCheck, parseSourceUrl, type SourceCheck, type SourceRef } from '../sources/index.ts';
import type { RealmId } from '../realms/realm.ts';
import type { Store } from '../store.ts';
import { CONDITION_RESOLVER, conditionFailedReason, conditionalAction } from '../cruxes/conditions.ts';
import type { ConditionStore } from '../cruxes/store.ts';
import { describeVerdict, type ProbabilitySplit, resolvedFromSplit, sameVerdict } from '../settlement/distribution.ts';
import type { SettlementService } from '../settlement/service.ts';
import { type CorrectionPlan, planCorrection, type Transfer } from './correction.ts';
import { decideResolution } from './decide.ts';
import { type FailureReport, type LinkStatus, nextSourceStatus } from './source-status.ts';
import type { DueSource, GuildResolutionSettings, PollState, Proposal, ResolutionStore } from './store.ts';

export interface ResolutionSettings {
  /** How long after a good check a source is checked again. */
  pollIntervalMs: number;
  /** The longest wait between checks, however many errors in a row. */
  maxPollIntervalMs: number;
}

/** The actor in whose name a proposal applies itself once its grace period has passed without a veto. */
export const AUTO_RESOLVER = 'crux:auto-resolve';

export interface ProposalDecision {
  proposal: Proposal;
  /** The market's settlement, when the proposal was applied. */
  settlement?: Settlement;
}

export interface Correction {
  market: Market;
  previous: Resolution;
  paid: Transfer[];
  clawedBack: Transfer[];
  /** Settlement credits a trader had already spent, which the mint made up instead (balances never go negative). */
  uncollected: Transfer[];
  /** The markets conditional on this one (and down the chain) that the correction cancelled or put back. */
  conditionals: ResettledConditional[];
}

/** A conditional market a correction of its condition re-settled. */
export interface ResettledConditional {
  market: Market;
  /** Cancelled with refunds, or put back to trading (open or closed) with its refunds taken back. */
  action: 'cancel' | 'reinstate';
  paid: Transfer[];
  clawedBack: Transfer[];
}

/** What a correction settles the market to: an outcome (split to a probability, as /mod resolve takes it) or cancelled. */
export type CorrectionTarget = { outcome: OutcomeRef; split?: ProbabilitySplit } | { cancel: true };

/**
 * Resolving against linked sources: links carry a parsed source reference, each check is recorded with its backoff,
 * and what the sources agree on becomes a proposal that a moderator accepts or rejects (or that applies itself after
 * a grace period, where the guild opted in). Accepting goes through the same use cases as /market resolve and cancel.
 */
export class ResolutionService {
  constructor(
    private readonly store: Store,
    private readonly sources: ResolutionStore,
    private readonly markets: MarketService,
    private readonly conditions: ConditionStore,
    /** Where a correction's cancellations of conditionals are recorded and paid, as any cancellation. */
    private readonly settlements: SettlementService,
    readonly settings: ResolutionSettings,
  ) {}

  /** Opens a market and links its source in one transaction; a link no adapter accepts refuses the whole thing. */
  openMarket(input: Omit<OpenMarketInput, 'links'>, source: string | undefined, context: Context): Result<Market> {
    return runUseCase(this.store, context, () => {
      const ref = source === undefined ? undefined : parseLink(source);
      const market = unwrapInner(this.markets.openMarket({ ...input, links: ref === undefined ? [] : [ref.url] }, inner(context)));
      if (ref !== undefined) this.sources.setLinkRef(market.id, ref.url, ref);
      return market;
    });
  }

  /** `link` as a moderator gave it, or the reference the edge settled on after asking the platform (an event's market). */
  linkSource(marketId: string, link: string | SourceRef, context: Context): Result<Market> {
    return runUseCase(this.store, context, () => {
      const ref = typeof link === 'string' ? parseLink(link) : link;
      const market = unwrapInner(this.markets.linkSource(marketId, { url: ref.url, kind: ref.kind }, inner(context)));
      this.sources.setLinkRef(market.id, ref.url, ref);
      return market;
    });
  }

  /**
   * The links due for a check. A link stored without a reference (before references were kept, or by a claim pack)
   * gets one from its URL now, and keeps it; a URL no adapter accepts is skipped.
   */
  sourcesDueForPoll(now: number, realm?: RealmId): DueSource[] {
    return this.store.atomically(() =>
      this.sources.sourcesDueForPoll(now, realm).flatMap((link) => {
        if (link.ref !== null) return [{ ...link, ref: link.ref }];
        const parsed = parseSourceUrl(link.url);
        if (!parsed.ok) return [];
        this.sources.setLinkRef(link.marketId, link.url, parsed.ref);
        return [{ ...link, kind: parsed.ref.kind, ref: parsed.ref }];
      }),
    );
  }

  /**
   * Records the checks of one market's sources and schedules each one's next check: errors back off, a terminal
   * answer is re-read only at the slowest rate (platforms can un-resolve). Only then is the market judged, so sources
   * checked in the same pass are weighed together. Returns the new proposal, if the sources now call for a verdict
   * not proposed before.
   */
  recordChecks(marketId: string, checks: readonly { source: DueSource; check: SourceCheck }[], now: number): Result<Proposal | undefined> {
    return runUseCase(this.store, { now }, () => {
      for (const { source, check } of checks) {
        this.sources.savePoll(source.linkId, this.nextPoll(source.poll, check, now));
        this.sources.saveSourceStatus(nextSourceStatus(this.sources.sourceStatus(source.linkId), source.linkId, check, now));
      }
      const market = requireMarketByKey(this.store, marketId);
      for (const { source, check } of checks) this.keepOdds(source, check, market, now);
      if (market.status !== 'open' && market.status !== 'closed') return undefined;
      return this.propose(market, now);
    });
  }

  /** Keeps the platform's current odds when they map onto the market's outcomes; they are shown, never applied. */
  private keepOdds(source: DueSource, check: SourceCheck, market: Market, now: number): void {
    if (check.kind !== 'pending' || check.odds === undefined) return;
    const probabilities = mapOdds(check.odds, market.outcomes);
    if (probabilities !== null) this.sources.recordOdds(source.linkId, market.id, { kind: source.kind, at: now, probabilities });
  }

  /** What each linked platform trades the market's question at: the newest reading per platform, and every reading. */
  outsideOdds(marketId: string): { latest: OutsideReading[]; history: OutsideReading[] } {
    return { latest: this.sources.latestOdds(marketId), history: this.sources.oddsHistory(marketId) };
  }

  /** Each checked link's last check of a market, in words, for its card. */
  sourceStatuses(marketId: string): LinkStatus[] {
    return this.sources.sourceStatuses(marketId);
  }

  /** The failing spells due to be told to the moderators, each handed out once (across restarts too). */
  claimFailureReports(realm?: RealmId): FailureReport[] {
    return this.store.atomically(() => this.sources.claimDueFailureReports(realm));
  }

  private nextPoll(previous: PollState | null, check: SourceCheck, now: number): PollState {
    const consecutiveErrors = check.kind === 'error' ? (previous?.consecutiveErrors ?? 0) + 1 : 0;
    const { pollIntervalMs, maxPollIntervalMs } = this.settings;
    const delay = isTerminalCheck(check) ? maxPollIntervalMs : backoffDelay(consecutiveErrors, pollIntervalMs, maxPollIntervalMs);
    return {
      // An error says nothing about the source, so the last real answer is kept.
      lastCheck: check.kind === 'error' ? (previous?.lastCheck ?? null) : check,
      lastCheckedAt: now,
      contentHash: check.kind === 'evidence' ? check.contentHash : (previous?.contentHash ?? null),
      consecutiveErrors,
      nextPollAt: now + delay,
    };
  }

  private propose(market: Market, now: number): Proposal | undefined {
    const decision = decideResolution(market.outcomes, this.sources.latestReadings(market.id));
    if (decision.kind === 'none' || this.sources.proposalExists(market.id, decision.verdictKey)) return undefined;
    // A verdict proposed earlier is no longer what the sources say together: it must not be accepted or applied as is.
    if (decision.kind === 'conflict') this.sources.supersedePendingVerdicts(market.id, now);
    const isVerdict = decision.kind === 'proposal';
    const id = this.sources.insertProposal({
      marketId: market.id,
      verdict: isVerdict ? decision.verdict.kind : decision.kind,
      outcome: isVerdict && decision.verdict.kind === 'outcome' ? decision.verdict.outcome : null,
      probabilities: isVerdict && decision.verdict.kind === 'outcome' ? (decision.verdict.probabilities ?? null) : null,
      verdictKey: decision.verdictKey,
      basis: decision.basis,
      evidence: decision.evidence,
      status: decision.kind === 'conflict' ? 'conflict' : 'pending',
      createdAt: now,
      autoApplyAt: isVerdict ? this.autoApplyTime(market, decision.basis.map((reading) => reading.kind), now) : null,
    });
    if (isVerdict) {
      const { verdict: decided } = decision;
      const verdict = decided.kind === 'outcome' ? describeVerdict(market.outcomes, { outcome: decided.outcome, probabilities: decided.probabilities }) : 'cancel';
      this.markets.events({ kind: 'proposal', market, proposalId: id, verdict, at: now });
    }
    return this.requireProposal(id, market.realm);
  }

  private autoApplyTime(market: Market, kinds: string[], now: number): number | null {
    const settings = this.sources.guildSettings(market.realm);
    if (!settings?.autoApply || !kinds.every((kind) => settings.trustedKinds.includes(kind))) return null;
    return now + settings.graceMs;
  }

  recordProposalMessage(proposalId: number, channelId: string, messageId: string): void {
    this.store.atomically(() => this.sources.setProposalMessage(proposalId, channelId, messageId));
  }

  proposal(id: number, realm: RealmId): Result<Proposal> {
    return runUseCase(this.store, { now: 0 }, () => this.requireProposal(id, realm));
  }

  /** The realm's proposals a moderator can still act on, oldest first. */
  openProposals(realm: RealmId): Proposal[] {
    return this.sources.openProposals(realm);
  }

  /** A proposal of one of the realm's markets; another realm's is answered as if there were none. */
  private requireProposal(id: number, realm: RealmId): Proposal {
    const proposal = this.sources.findProposal(id);
    if (!proposal || this.store.findMarket(proposal.marketId)?.realm !== realm) {
      throw new CruxError('invalid_input', `There is no resolution proposal #${id}.`);
    }
    return proposal;
  }

  /** A moderator applies a proposal: the market resolves (or cancels) with the sources' evidence, in their name. */
  acceptProposal(id: number, context: Context): Result<ProposalDecision> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'accept a resolution proposal');
      const proposal = this.requirePending(id, context.realm);
      const settlement = this.apply(proposal, context);
      this.sources.decideProposal(id, { status: 'accepted', decidedBy: context.actor.userId, decidedAt: context.now });
      return { proposal: this.requireProposal(id, context.realm), settlement };
    });
  }

  /** A moderator turns a proposal, conflict or report down; during a grace period this is the veto. */
  rejectProposal(id: number, context: Context): Result<ProposalDecision> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'reject a resolution proposal');
      const proposal = this.requireProposal(id, context.realm);
      if (proposal.status !== 'pending' && proposal.status !== 'conflict') {
        throw new CruxError('invalid_input', alreadyDecided(proposal));
      }
      this.sources.decideProposal(id, { status: 'rejected', decidedBy: context.actor.userId, decidedAt: context.now });
      return { proposal: this.requireProposal(id, context.realm) };
    });
  }

  /**
   * Applies every proposal whose grace period ended without a veto, each in its own transaction, provided the sources
   * still say the same; one they no longer back is set aside for a moderator, unapplied.
   */
  applyDueProposals(now: number, realm?: RealmId): { proposal: Proposal; result: Result<ProposalDecision> }[] {
    const actor = { userId: AUTO_RESOLVER, displayName: 'Crux (auto-resolve)', isModerator: true };
    return this.sources.proposalsDueToApply(now, realm).map((due) => ({
      proposal: due,
      result: runUseCase(this.store, { now }, () => {
        // The job acts in each proposal's own realm, as that realm's moderators would.
        const { realm } = requireMarketByKey(this.store, due.marketId);
        const proposal = this.requirePending(due.id, realm);
        const market = requireMarketByKey(this.store, proposal.marketId);
        const current = decideResolution(market.outcomes, this.sources.latestReadings(market.id));
        if (current.kind !== 'proposal' || current.verdictKey !== proposal.verdictKey) {
          this.sources.decideProposal(due.id, { status: 'conflict', decidedBy: AUTO_RESOLVER, decidedAt: now });
          return { proposal: this.requireProposal(due.id, realm) };
        }
        const settlement = this.apply(proposal, { realm, actor, now });
        this.sources.decideProposal(due.id, { status: 'applied', decidedBy: AUTO_RESOLVER, decidedAt: now });
        return { proposal: this.requireProposal(due.id, realm), settlement };
      }),
    }));
  }

  private requirePending(id: number, realm: RealmId): Proposal {
    const proposal = this.requireProposal(id, realm);
    if (proposal.status !== 'pending') {
      throw new CruxError('invalid_input', alreadyDecided(proposal));
    }
    return proposal;
  }

  private apply(proposal: Proposal, context: Context): Settlement {
    const moderator = inner(context);
    const { slug } = requireMarketByKey(this.store, proposal.marketId);
    if (proposal.verdict === 'outcome' && proposal.outcome !== null) {
      const split = proposal.probabilities === null ? {} : { percents: proposal.probabilities };
      return unwrapInner(this.markets.resolveMarket(slug, proposal.outcome, proposal.evidence, moderator, split));
    }
    if (proposal.verdict === 'cancel') {
      return unwrapInner(this.markets.cancelMarket(slug, `The source cancelled the question.\n${proposal.evidence}`, moderator));
    }
    throw new CruxError(
      'invalid_input',
      `Proposal #${proposal.id} is a ${proposal.verdict}, not a verdict: read the evidence and use /mod resolve or /mod cancel.`,
    );
  }

  guildSettings(realm: RealmId): GuildResolutionSettings | undefined {
    return this.sources.guildSettings(realm);
  }

  /** Auto-resolve settings are the context's realm's own, whatever realm the caller names. */
  configureAutoResolve(settings: Omit<GuildResolutionSettings, 'guildId'>, context: Context): Result<GuildResolutionSettings> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'change auto-resolve settings');
      const own = { ...settings, guildId: context.realm };
      this.sources.saveGuildSettings(own, context.actor.userId, context.now);
      return own;
    });
  }

  /**
   * Corrects a resolved or cancelled market to another outcome (or to cancelled, or from cancelled to an outcome),
   * on the ledger in one transaction: each trader is paid or handed back the difference between what the market's
   * settlements paid them and what the corrected one owes; see `planCorrection` for who covers spent credits.
   */
  correctResolution(marketId: string, target: CorrectionTarget, evidence: string, context: Context): Result<Correction> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'correct a resolution');
      const market = requireMarket(this.store, context.realm, marketId);
      const previous = market.resolution;
      if ((market.status !== 'resolved' && market.status !== 'cancelled') || previous === null) {
        throw new CruxError('market_not_closed', `Market \`${market.slug}\` is ${market.status}; resolve it with /mod resolve first.`);
      }
      const citation = evidence.trim();
      if (citation === '') throw new CruxError('invalid_input', 'A correction needs evidence: a URL or a short citation.');
      const verdict = 'outcome' in target ? resolvedFromSplit(market, resolveOutcome(market, target.outcome), target.split ?? {}) : { outcome: null };
      if (sameVerdict(verdict, previous)) {
        const now = verdict.outcome === null ? 'cancelled' : `resolved ${describeVerdict(market.outcomes, verdict)}`;
        throw new CruxError('invalid_input', `Market \`${market.slug}\` is already ${now}.`);
      }
      if (verdict.outcome !== null) this.markets.assertMayResolve(market);
      return this.correct(market, previous, { ...verdict, decidedBy: context.actor.userId, evidence: citation, at: context.now });
    });
  }

  /** Moves a settled market to `resolution` on the ledger, then re-settles the markets conditional on it. */
  private correct(market: Market, previous: Resolution, resolution: Resolution): Correction {
    const winner = resolution.outcome;
    const owed = winner === null ? this.refundsBeforeSettlement(market) : payoutsFor(this.store.positions(market.id), { outcome: winner, probabilities: resolution.probabilities });
    const plan = planCorrection(this.store.settlementReceived(market.id), owed, (userId) => this.balanceOf(market, userId));
    this.applyCorrection(market, plan, winner === null ? 'refund' : 'payout', resolution.at);
    this.store.saveMarketState(market.id, { ...market, status: winner === null ? 'cancelled' : 'resolved', resolution });
    this.store.rescoreMarket(market.id);
    const corrected = requireMarketByKey(this.store, market.id);
    return {
      market: corrected,
      previous,
      paid: plan.payments,
      clawedBack: plan.clawbacks,
      uncollected: plan.uncollected,
      conditionals: this.resettleConditionals(corrected, resolution.at),
    };
  }

  private balanceOf(market: Market, userId: string): Millis {
    return this.store.findAccount(userAccount(market.realm, userId))?.balance ?? 0;
  }

  /**
   * Brings every market conditional on `condition` in line with the condition's state now: cancelled (with a
   * moderator's refunds) where the condition no longer holds, put back where it holds again; down the chain.
   */
  private resettleConditionals(condition: Market, at: number): ResettledConditional[] {
    return this.conditions.conditionalsOf(condition.id).flatMap((link): ResettledConditional[] => {
      const conditional = requireMarketByKey(this.store, link.marketId);
      const action = conditionalAction(condition, link.outcome, conditional);
      if (action === 'none') return [];
      if (action === 'reinstate') return this.reinstate(conditional, at);
      const reason = conditionFailedReason(condition, link.outcome);
      if (conditional.status === 'resolved' && conditional.resolution !== null) {
        const corrected = this.correct(conditional, conditional.resolution, { outcome: null, decidedBy: CONDITION_RESOLVER, evidence: reason, at });
        return [{ market: corrected.market, action, paid: corrected.paid, clawedBack: corrected.clawedBack }, ...corrected.conditionals];
      }
      const settlement = this.settlements.cancelConditional(conditional, condition, link.outcome, at);
      return [settlement, ...settlement.cancelledConditionals].map((cancelled) => ({ market: cancelled.market, action, paid: cancelled.paid, clawedBack: [] }));
    });
  }

  /**
   * Undoes a conditional's cancellation by its condition: its refunds are taken back (planned as a correction to
   * owing nothing), the mint makes the pool what it held before settling again, and the market trades on (or waits
   * for resolution if its close time has passed). Its own conditionals cancelled with it come back with it.
   */
  private reinstate(market: Market, at: number): ResettledConditional[] {
    const plan = planCorrection(this.store.settlementReceived(market.id), [], (userId) => this.balanceOf(market, userId));
    const pool = marketAccount(market.id);
    const marketId = market.id;
    for (const { userId, amount } of plan.clawbacks) {
      this.store.append(blankEntry({ at, from: userAccount(market.realm, userId), to: pool, amount, reason: 'clawback', marketId }));
    }
    const collected = plan.clawbacks.reduce((sum, clawback) => sum + clawback.amount, 0);
    // More can come back than the pool held when refunds a trader had spent before an earlier reinstatement are collected now.
    const shortfall = this.poolBeforeSettlement(market) - collected;
    if (shortfall > 0) this.store.append(blankEntry({ at, from: MINT_ACCOUNT, to: pool, amount: shortfall, reason: 'correction', marketId }));
    if (shortfall < 0) this.store.append(blankEntry({ at, from: pool, to: MINT_ACCOUNT, amount: -shortfall, reason: 'settle', marketId }));
    const open = at < market.closesAt;
    this.store.saveMarketState(marketId, { ...market, status: open ? 'open' : 'closed', closedAt: open ? null : market.closesAt, resolution: null });
    // It is unresolved again: whatever was stored for it goes.
    this.store.rescoreMarket(marketId);
    const reinstated = requireMarketByKey(this.store, marketId);
    return [{ market: reinstated, action: 'reinstate', paid: [], clawedBack: plan.clawbacks }, ...this.resettleConditionals(reinstated, at)];
  }

  /** What a cancellation owes, out of what the pool held before its first settlement. */
  private refundsBeforeSettlement(market: Market): Transfer[] {
    return refundsFor(this.store.netPaid(market.id), this.poolBeforeSettlement(market));
  }

  /** The subsidy plus what traders paid in net. */
  private poolBeforeSettlement(market: Market): Millis {
    return market.subsidy + this.store.netPaid(market.id).reduce((sum, claim) => sum + claim.paid, 0);
  }

  /** Clawbacks first and the mint's part next, so the pool never goes below zero while paying. */
  private applyCorrection(market: Market, plan: CorrectionPlan, reason: 'payout' | 'refund', at: number): void {
    const pool = marketAccount(market.id);
    const marketId = market.id;
    for (const { userId, amount } of plan.clawbacks) {
      this.store.append(blankEntry({ at, from: userAccount(market.realm, userId), to: pool, amount, reason: 'clawback', marketId }));
    }
    if (plan.fromMint > 0) {
      this.store.append(blankEntry({ at, from: MINT_ACCOUNT, to: pool, amount: plan.fromMint, reason: 'correction', marketId }));
    }
    for (const { userId, amount } of plan.payments) {
      this.store.append(blankEntry({ at, from: pool, to: this.markets.holderAccount(market, userId, at), amount, reason, marketId }));
    }
    if (plan.toMint > 0) {
      this.store.append(blankEntry({ at, from: pool, to: MINT_ACCOUNT, amount: plan.toMint, reason: 'settle', marketId }));
    }
  }

  /** Closed markets left unresolved for `days`, each reported at most once per `days`; the reminder is recorded here. */
  nudgeStaleMarkets(now: number, days: number): Result<Market[]> {
    return runUseCase(this.store, { now }, () => {
      const window = days * 24 * 60 * 60 * 1000;
      return this.sources.staleClosedMarkets(now - window, now - window).map((marketId) => {
        this.sources.recordNudge(marketId, now);
        return requireMarketByKey(this.store, marketId);
      });
    });
  }
}

function parseLink(link: string): SourceRef {
  const parsed = parseSourceUrl(link);
  if (!parsed.ok) throw new CruxError('invalid_input', parsed.message);
  return parsed.ref;
}

/** A use case run inside another: the outer one owns the request id, so it is recorded once. */
function inner(context: Context): Context {
  return { realm: context.realm, actor: context.actor, now: context.now };
}

function unwrapInner<T>(result: Result<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

function alreadyDecided(proposal: Proposal): string {
  if (proposal.status === 'conflict') return `Proposal #${proposal.id} was set aside: its sources disagree or no longer back it.`;
  const by = proposal.decidedBy === null ? '' : ` by ${proposal.decidedBy === AUTO_RESOLVER ? 'auto-resolve' : `<@${proposal.decidedBy}>`}`;
  return `Proposal #${proposal.id} was already ${proposal.status}${by}.`;
}
