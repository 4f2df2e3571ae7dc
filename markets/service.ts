import { type ClaimPack, claimName, claimToMarketInput } from './claims.ts';
import { assertConditionAllowed, assertConditionHeld } from './cruxes/conditions.ts';
import type { ConditionStore } from './cruxes/store.ts';
import { CruxError, type Result } from './errors.ts';
import { parseInput, type OpenMarketInput, openMarketInput, MIN_OPENING_VECTOR_PROBABILITY } from './inputs.ts';
import { type Account, blankEntry, marketAccount, MINT_ACCOUNT, userAccount } from './ledger.ts';
import { type ProbabilitySplit, resolvedFromSplit } from './settlement/distribution.ts';
import { holderAccount } from './settlement/pay.ts';
import type { SettlementService } from './settlement/service.ts';
import type { Settlement, ShownPending } from './settlement/types.ts';
import { openingShares, prices, worstCaseLoss } from './lmsr.ts';
import {
  assertClosable,
  assertSettleable,
  assertTradable,
  type Market,
  outcomeIndex,
} from './market.ts';
import { IGNORE_EVENTS, type MarketEventSink } from './events.ts';
import { chargeInMillis, formatCredits, type Millis } from './money.ts';
import { newMarketKey, type RealmId, realmOfGuild } from './realms/realm.ts';
import { slugFromQuestion, uniqueSlug } from './slug.ts';
import type { Store } from './store.ts';
import { type Context, type ReplayRecord, type RequestContext, requireModerator, runUseCase } from './use-case.ts';
import {
  assertWithinLimit,
  type Quote,
  quoteBasis,
  quoteBuyForAmount,
  quoteBuyShares,
  quoteSell,
  remakeQuote,
} from './trade.ts';
import type { TradeRecord } from './trade-record.ts';

export interface EngineSettings {
  startingGrant: Millis;
  /** Granted on a user's first action of each UTC day after the day they joined; 0 turns it off. */
  dailyAllowance: Millis;
  /** The LMSR b of a market opened without one, in credits. */
  defaultLiability: number;
}

/** A realm's engine settings; read when a use case needs them, so a moderator's change applies at once. */
export type EngineSettingsOf = (realm: RealmId) => EngineSettings;

export { type Actor, type Context, type ReplayRecord, REQUEST_MEMORY_MS, requireModerator, runUseCase } from './use-case.ts';
export { payoutsFor, proRata, refundsFor } from './settlement/payouts.ts';
export type { Settlement } from './settlement/types.ts';

export type OutcomeRef = number | string;

export interface BuyCommand {
  marketId: string;
  outcome: OutcomeRef;
  /** Spend this many millis (exactly one of amount and shares). */
  amount?: Millis;
  /** Buy this many milli-shares. */
  shares?: Millis;
  /** Refuse if the outcome's price would end above this probability. */
  maxPrice?: number;
}

export interface SellCommand {
  marketId: string;
  outcome: OutcomeRef;
  /** Milli-shares to sell; all held when omitted. */
  shares?: Millis;
  /** Refuse if the outcome's price would end below this probability. */
  minPrice?: number;
}

export interface TradeResult {
  market: Market;
  quote: Quote;
  balance: Millis;
  position: Millis;
  /** Of a sale's proceeds, what went to pay back a settlement's credits the seller had spent (see repaySpentReceipts). */
  repaid: Millis;
}

const DAY_MS = 24 * 60 * 60 * 1000;
let lastDay = { number: Number.NaN, text: '' };

/** The UTC day of `now` as YYYY-MM-DD; formatting a date costs about as much as a query, so each day is formatted once. */
function utcDay(now: number): string {
  const number = Math.floor(now / DAY_MS);
  if (number !== lastDay.number) lastDay = { number, text: new Date(number * DAY_MS).toISOString().slice(0, 10) };
  return lastDay.text;
}

function openingProbabilities(command: { outcomes: string[]; probability?: number; probabilities?: number[] }): number[] {
  const n = command.outcomes.length;
  if (command.probability !== undefined) return [command.probability, 1 - command.probability];
  if (command.probabilities === undefined) return Array.from({ length: n }, () => 1 / n);
  const total = command.probabilities.reduce((sum, p) => sum + p, 0);
  const normalised = command.probabilities.map((p) => p / total);
  if (normalised.some((p) => p < MIN_OPENING_VECTOR_PROBABILITY)) {
    throw new CruxError('invalid_input', `Every opening probability must be at least ${MIN_OPENING_VECTOR_PROBABILITY * 100}%.`);
  }
  return normalised;
}

/**
 * The market a member named, in the realm they are in. A market of another realm is answered exactly as an unknown
 * one, so nobody learns what other servers trade.
 */
export function requireMarket(store: Store, realm: RealmId, slug: string): Market {
  const market = store.findMarketBySlug(realm, slug);
  if (!market) throw unknownMarket(slug);
  return market;
}

export function unknownMarket(slug: string): CruxError {
  return new CruxError('unknown_market', `There is no market \`${slug}\`.`);
}

/** A market by its storage key, for the jobs and replays that already hold one. */
export function requireMarketByKey(store: Store, key: string): Market {
  const market = store.findMarket(key);
  if (!market) throw new Error(`market ${key} vanished`);
  return market;
}

/** An outcome named or numbered (from zero), checked against the market's outcomes. */
export function resolveOutcome(market: Market, outcome: OutcomeRef): number {
  if (typeof outcome === 'string') return outcomeIndex(market, outcome);
  if (!Number.isInteger(outcome) || outcome < 0 || outcome >= market.outcomes.length) {
    throw new CruxError('unknown_outcome', `Market \`${market.slug}\` has no outcome #${outcome + 1}.`);
  }
  return outcome;
}

export class MarketService {
  constructor(
    private readonly store: Store,
    readonly settings: EngineSettingsOf,
    /** Records each resolution and cancellation, and holds it through the realm's dispute window. */
    private readonly settlements: SettlementService,
    private readonly conditions: ConditionStore,
    /** Told of every trade inside its transaction (the market's thread and notifications); settlements tell their own. */
    readonly events: MarketEventSink = IGNORE_EVENTS,
  ) {}

  private run<T>(context: RequestContext, work: () => T): Result<T> {
    return runUseCase(this.store, context, work);
  }

  /**
   * A trade's request row is written in the same commit as the trade, so it is kept small: the market (its texts
   * are most of a TradeResult) is left out and read again on a replay. Only its id, question and outcomes reach
   * the reply, and those never change. The quote's prices, two floats per outcome, are left out too and remade
   * from its integers and the market's opening, which never changes either. Records kept with the whole quote,
   * before it was trimmed, are remade the same way.
   */
  private readonly tradeReplay: ReplayRecord<TradeResult, TradeRecord> = {
    // Nearly every trade repays nothing: kept only when it did, so a trade's request row stays as small as it was.
    record: ({ market, quote, repaid, ...rest }) => ({ marketId: market.id, quote: quoteBasis(quote), ...rest, ...(repaid > 0 ? { repaid } : {}) }),
    rebuild: ({ marketId, quote, repaid, ...rest }) => {
      const market = requireMarketByKey(this.store, marketId);
      return { market, quote: remakeQuote(market, quote), ...rest, repaid: repaid ?? 0 };
    },
  };

  private runTrade(context: Context, work: () => TradeResult): Result<TradeResult> {
    return runUseCase(this.store, context, work, this.tradeReplay);
  }

  /**
   * Makes sure the actor has an account in the context's realm, granting that realm's starting credits once and its
   * allowance daily. A member of three servers has three accounts, each funded by its own server's settings.
   */
  private enrol(context: Context): Account {
    const { actor, now, realm } = context;
    const id = userAccount(realm, actor.userId);
    const existing = this.store.findAccount(id);
    let changed = true;
    if (!existing) {
      this.store.createAccount({ id, kind: 'user', realm, userId: actor.userId, displayName: actor.displayName ?? null, createdAt: now });
      const { startingGrant } = this.settings(realm);
      if (startingGrant > 0) {
        this.store.append(blankEntry({ at: now, from: MINT_ACCOUNT, to: id, amount: startingGrant, reason: 'grant' }));
      }
      this.store.updateAccountProfile(id, { allowanceDay: utcDay(now) });
    } else {
      changed = false;
      if (actor.displayName !== undefined && actor.displayName !== existing.displayName) {
        this.store.updateAccountProfile(id, { displayName: actor.displayName });
        changed = true;
      }
      // The settings are read once a day per member: the day is marked even when the realm grants no allowance.
      if (existing.allowanceDay !== utcDay(now)) {
        const { dailyAllowance } = this.settings(realm);
        if (dailyAllowance > 0) {
          this.store.append(blankEntry({ at: now, from: MINT_ACCOUNT, to: id, amount: dailyAllowance, reason: 'allowance' }));
        }
        this.store.updateAccountProfile(id, { allowanceDay: utcDay(now) });
        changed = true;
      }
    }
    // Most trades come from members already enrolled today: nothing was written, so nothing needs reading back.
    if (existing && !changed) return existing;
    const account = this.store.findAccount(id);
    if (!account) throw new Error(`account ${id} vanished inside its own transaction`);
    return account;
  }

  account(context: Context): Result<Account> {
    return this.run(context, () => this.enrol(context));
  }

  openMarket(input: OpenMarketInput, context: Context): Result<Market> {
    return this.run(context, () => {
      const command = parseInput(openMarketInput, input);
      if (command.closesAt <= context.now) {
        throw new CruxError('invalid_input', 'The close time must be in the future.');
      }
      const { realm } = context;
      if (command.guildId !== null && realmOfGuild(command.guildId) !== realm) {
        throw new Error(`a market of guild ${command.guildId} cannot be opened from realm ${realm}`);
      }
      if (command.id !== undefined && this.store.slugTaken(realm, command.id)) {
        throw new CruxError('market_exists', `A market \`${command.id}\` already exists.`);
      }
      const slug = command.id ?? uniqueSlug(slugFromQuestion(command.question), (candidate) => this.store.slugTaken(realm, candidate));
      const id = newMarketKey(realm, slug, (key) => this.store.marketKeyTaken(key));
      const liquidity = command.liquidity ?? this.settings(realm).defaultLiability;
      const q0 = openingShares(openingProbabilities(command), liquidity);
      const subsidy = chargeInMillis(worstCaseLoss(q0, liquidity));
      this.store.insertMarket({
        id,
        realm,
        slug,
        guildId: command.guildId,
        channelId: command.channelId,
        messageId: null,
        question: command.question,
        criteria: command.criteria,
        outcomes: command.outcomes,
        liquidity,
        openingShares: q0,
        outstanding: command.outcomes.map(() => 0),
        subsidy,
        status: 'open',
        createdBy: context.actor.userId,
        createdAt: context.now,
        closesAt: command.closesAt,
        closedAt: null,
        resolution: null,
        tags: command.tags,
      });
      this.store.append(
        blankEntry({
          at: context.now,
          from: MINT_ACCOUNT,
          to: marketAccount(id),
          amount: subsidy,
          reason: 'subsidy',
          marketId: id,
          pricesAfter: prices(q0, liquidity),
        }),
      );
      for (const url of command.links) {
        this.store.addLink(id, { url, kind: 'url', addedBy: context.actor.userId, addedAt: context.now });
      }
      if (command.condition !== undefined) this.setCondition(id, command.condition, realm);
      return requireMarketByKey(this.store, id);
    });
  }

  /**
   * Opens every claim of a pack whose slug is not yet a market, all in one transaction; claims already
   * open are skipped, so loading a pack twice is harmless.
   */
  openClaims(pack: ClaimPack, place: { guildId: string | null; channelId: string | null }, context: Context): Result<{ opened: string[]; skipped: string[] }> {
    // The realm is the context's: a pack loaded into two servers gives each its own markets.
    return this.run(context, () => {
      requireModerator(context.actor, 'load a claim pack');
      const opened: string[] = [];
      const skipped: string[] = [];
      for (const [index, claim] of pack.claims.entries()) {
        if (this.store.slugTaken(context.realm, claim.slug) || Date.parse(claim.closes) <= context.now) {
          skipped.push(claim.slug);
          continue;
        }
        const result = this.openMarket(claimToMarketInput(claim, place), { realm: context.realm, actor: context.actor, now: context.now });
        if (!result.ok) throw new CruxError(result.error.code, `${claimName(index, claim.slug)}: ${result.error.message}`);
        opened.push(result.value.slug);
      }
      return { opened, skipped };
    });
  }

  /** Records that a market just inserted is conditional on another of its realm, which must still be unsettled. */
  private setCondition(id: string, named: { market: string; outcome: OutcomeRef; claim?: string | undefined }, realm: RealmId): void {
    const condition = requireMarket(this.store, realm, named.market);
    assertSettleable(condition);
    const outcome = resolveOutcome(condition, named.outcome);
    assertConditionAllowed(id, condition.id, (key) => this.conditions.conditionOf(key));
    const claim = named.claim === undefined ? null : requireMarket(this.store, realm, named.claim).id;
    this.conditions.setCondition({ marketId: id, conditionId: condition.id, outcome, claimId: claim });
  }

  /** Prices a buy without committing anything. */
  quoteBuy(command: BuyCommand, context: Pick<Context, 'realm' | 'now'>): Result<Quote> {
    const { now } = context;
    return this.run({ now }, () => {
      const market = requireMarket(this.store, context.realm, command.marketId);
      assertTradable(market, now);
      return this.priceBuy(market, command);
    });
  }

  private priceBuy(market: Market, command: BuyCommand): Quote {
    const outcome = resolveOutcome(market, command.outcome);
    if ((command.amount === undefined) === (command.shares === undefined)) {
      throw new CruxError('invalid_input', 'Give either an amount to spend or a number of shares to buy.');
    }
    const quote =
      command.amount !== undefined
        ? quoteBuyForAmount(market, outcome, command.amount)
        : quoteBuyShares(market, outcome, command.shares ?? 0);
    assertWithinLimit(quote, command.maxPrice);
    return quote;
  }

  buy(command: BuyCommand, context: Context): Result<TradeResult> {
    return this.runTrade(context, () => {
      const market = requireMarket(this.store, context.realm, command.marketId);
      assertTradable(market, context.now);
      const account = this.enrol(context);
      const quote = this.priceBuy(market, command);
      if (quote.cash > account.balance) {
        throw new CruxError(
          'insufficient_balance',
          `That costs ${formatCredits(quote.cash)} credits and you have ${formatCredits(account.balance)}.`,
        );
      }
      return this.commitTrade(market, quote, account, context);
    });
  }

  sell(command: SellCommand, context: Context): Result<TradeResult> {
    return this.runTrade(context, () => {
      const market = requireMarket(this.store, context.realm, command.marketId);
      assertTradable(market, context.now);
      const account = this.enrol(context);
      const outcome = resolveOutcome(market, command.outcome);
      const held = this.heldShares(market.id, context.actor.userId, outcome);
      if (held === 0) {
        throw new CruxError('insufficient_shares', `You hold no shares of ${market.outcomes[outcome]} in \`${market.slug}\`.`);
      }
      const quote = quoteSell(market, outcome, command.shares ?? held, held);
      assertWithinLimit(quote, command.minPrice);
      const sold = this.commitTrade(market, quote, account, context);
      const repaid = this.repaySpentReceipts(market, account.id, quote.cash, context.now);
      return { ...sold, balance: sold.balance - repaid, repaid };
    });
  }

  /**
   * A conditional reinstated after its condition was corrected takes its refunds back, but not what a trader had
   * already spent: the mint refilled the pool instead, and the refund is still the trader's. Settling again nets it
   * (owedFor); a sale would pay the stake a second time, so it first pays that refund back to the mint, as a clawback
   * of the market, out of its proceeds. Whatever the proceeds do not cover stays owed the same way.
   */
  private repaySpentReceipts(market: Market, account: string, proceeds: Millis, at: number): Millis {
    const repaid = Math.min(Math.max(0, this.store.settlementReceivedBy(market.id, account)), proceeds);
    if (repaid > 0) this.store.append(blankEntry({ at, from: account, to: MINT_ACCOUNT, amount: repaid, reason: 'clawback', marketId: market.id }));
    return repaid;
  }

  private heldShares(marketId: string, userId: string, outcome: number): Millis {
    return this.store.position(marketId, userId, outcome);
  }

  private commitTrade(market: Market, quote: Quote, account: Account, context: Context): TradeResult {
    const trader = account.id;
    const pool = marketAccount(market.id);
    const buying = quote.side === 'buy';
    const position = this.store.appendTrade(
      {
        ...blankEntry({ at: context.now, from: buying ? trader : pool, to: buying ? pool : trader, amount: quote.cash, reason: quote.side }),
        marketId: market.id,
        holder: context.actor.userId,
        outcome: quote.outcome,
        shares: buying ? quote.shares : -quote.shares,
        pricesAfter: quote.pricesAfter,
        requestId: context.requestId ?? null,
      },
      quote.outstandingAfter,
    );
    // The trade's own numbers are the market's and the trader's new state: no need to read them back.
    const traded = { ...market, outstanding: quote.outstandingAfter, pool: quote.poolAfter };
    this.events({ kind: 'trade', market: traded, userId: context.actor.userId, quote, at: context.now });
    return {
      market: traded,
      quote,
      balance: buying ? account.balance - quote.cash : account.balance + quote.cash,
      position,
      repaid: 0,
    };
  }

  closeMarket(marketId: string, context: Context): Result<Market> {
    return this.run(context, () => {
      requireModerator(context.actor, 'close a market');
      const market = requireMarket(this.store, context.realm, marketId);
      assertClosable(market);
      this.store.saveMarketState(market.id, { ...market, status: 'closed', closedAt: context.now });
      return requireMarketByKey(this.store, market.id);
    });
  }

  /**
   * The close job: every open market past its close time is closed in one transaction, in every realm or, for a
   * caller that acts for one realm only (the console), in `realm`.
   */
  closeDueMarkets(now: number, realm?: RealmId): Result<Market[]> {
    return this.run({ now }, () =>
      this.store.marketsDueToClose(now, realm).map((market) => {
        this.store.saveMarketState(market.id, { ...market, status: 'closed', closedAt: market.closesAt });
        return requireMarketByKey(this.store, market.id);
      }),
    );
  }

  /**
   * Resolves to an outcome, or with `split` to a probability (see ProbabilitySplit); it may wait out a dispute window.
   * `shown`: the pending decision the moderator confirmed this against (see ShownPending).
   */
  resolveMarket(marketId: string, outcome: OutcomeRef, evidence: string, context: Context, split: ProbabilitySplit = {}, shown?: ShownPending): Result<Settlement> {
    return this.run(context, () => {
      requireModerator(context.actor, 'resolve a market');
      const market = requireMarket(this.store, context.realm, marketId);
      assertSettleable(market);
      const resolved = resolvedFromSplit(market, resolveOutcome(market, outcome), split);
      this.assertMayResolve(market);
      const citation = evidence.trim();
      if (citation === '') throw new CruxError('invalid_input', 'A resolution needs evidence: a URL or a short citation.');
      return this.settlements.decide(market, { ...resolved, decidedBy: context.actor.userId, evidence: citation, decidedAt: context.now }, shown);
    });
  }

  /**
   * Cancelling reverses the market: each trader gets back what they paid in minus what they took out.
   * A trader who took out more than they paid keeps the difference (balances never go below zero), so if
   * the pool cannot cover every refund, refunds are paid pro rata, rounded down.
   */
  cancelMarket(marketId: string, reason: string, context: Context, shown?: ShownPending): Result<Settlement> {
    return this.run(context, () => {
      requireModerator(context.actor, 'cancel a market');
      const market = requireMarket(this.store, context.realm, marketId);
      assertSettleable(market);
      const why = reason.trim();
      if (why === '') throw new CruxError('invalid_input', 'Say why the market is cancelled.');
      return this.settlements.decide(market, { outcome: null, decidedBy: context.actor.userId, evidence: why, decidedAt: context.now }, shown);
    });
  }

  /** A conditional market resolves to an outcome only once its condition has held. */
  assertMayResolve(market: Market): void {
    const condition = this.conditions.conditionOf(market.id);
    if (condition !== undefined) assertConditionHeld(market, requireMarketByKey(this.store, condition.conditionId), condition.outcome);
  }

  /** The account of a market's trader in the market's realm, to pay them (see `holderAccount`). */
  holderAccount(market: Market, userId: string, at: number): string {
    return holderAccount(this.store, market, userId, at);
  }

  /** Links a resolution source (a URL) to a market; `kind` is what the source adapters recognised. */
  linkSource(marketId: string, link: { url: string; kind: string }, context: Context): Result<Market> {
    return this.run(context, () => {
      requireModerator(context.actor, 'link a source to a market');
      const market = requireMarket(this.store, context.realm, marketId);
      if (this.store.links(market.id).some((existing) => existing.url === link.url)) {
        throw new CruxError('invalid_input', `That source is already linked to \`${market.slug}\`.`);
      }
      this.store.addLink(market.id, { ...link, addedBy: context.actor.userId, addedAt: context.now });
      return market;
    });
  }

  /** Forgets request ids applied before `before`: a replay that late can no longer reach Discord anyway. */
  forgetRequestsBefore(before: number): number {
    return this.store.atomically(() => this.store.forgetRequestsBefore(before));
  }

  /** Remembers where the market's card was posted; not a money movement, so no ledger entry. */
  recordMarketMessage(marketId: string, channelId: string, messageId: string): boolean {
    return this.store.atomically(() => this.store.setMarketMessage(marketId, channelId, messageId));
  }

}
