import { CruxError, type Result } from './errors.ts';
import { currentPrices, isTradable, type Market, type MarketStatus, outcomeIndex } from './market.ts';
import { compareIds } from './scoring/collections.ts';
import { type Forecast, type ScoredMarket, UserSummaryAccumulator, type UserSummary } from './scoring/index.ts';
import type { RealmId } from './realms/realm.ts';
import { type Context, unknownMarket } from './service.ts';
import { type RequestStore, runUseCase } from './use-case.ts';

/** A forecast stated with /forecast rather than made by trading. */
export interface StatedForecast extends Forecast {
  /** The Discord interaction (or console line) that stated it: the same request is recorded once. */
  readonly requestId: string | null;
}

export interface ForecastCommand {
  readonly marketId: string;
  /** The probability the user gives, in (0, 1). */
  readonly probability: number;
  /** The outcome it is for; the first outcome of a binary market when omitted. */
  readonly outcome?: string;
}

export interface ForecastRecorded {
  readonly market: Market;
  readonly outcome: number;
  /** The whole vector that was recorded, one probability per outcome. */
  readonly probabilities: readonly number[];
}

/** What stating a forecast needs from storage; requests are remembered as every use case's are. */
export interface ForecastStore extends RequestStore {
  findMarketBySlug(realm: RealmId, slug: string): Market | undefined;
  /** Records the forecast unless its requestId was recorded before. */
  insertForecast(forecast: StatedForecast): void;
}

/** What scoring needs from storage: only resolved markets and the forecasts on them. */
export interface ScoringReads {
  /** Runs the reads inside on one snapshot, so the markets, forecasts and profits they return agree. */
  consistently<T>(read: () => T): T;
  resolvedMarkets(guildId: string | null): ScoredMarket[];
  /** The resolved markets the user forecast on, by trading or with /forecast. */
  resolvedMarketsForecastBy(userId: string, guildId: string | null): ScoredMarket[];
  /** One market's forecasts from trades and stated forecasts, in time order. */
  forecastsOn(marketId: string): readonly Forecast[];
  /** Per user who traded in the guild, in millis: credits received from its markets minus credits paid into them. */
  profits(guildId: string | null): UserProfit[];
  profitOf(userId: string, guildId: string | null): UserProfit | undefined;
}

export interface UserProfit {
  readonly userId: string;
  readonly displayName: string | null;
  readonly profit: number;
}

export interface ScoredUser extends UserSummary {
  readonly displayName: string | null;
}

/** A market's facts as stored or exported, before it is known to be scoreable. */
export interface MarketFacts {
  readonly id: string;
  readonly outcomes: readonly string[];
  readonly status: MarketStatus;
  readonly createdAt: number;
  readonly closesAt: number;
  readonly closedAt: number | null;
  readonly resolvedAt: number | null;
  readonly resolvedOutcome: number | null;
}

/**
 * The scoring view of a resolved market, null for any other. The window opens when the market was created and ends
 * when trading stopped: closedAt, which settling always sets; the planned close time only stands in for old data.
 */
export function toScoredMarket(market: MarketFacts): ScoredMarket | null {
  if (market.status !== 'resolved' || market.resolvedOutcome === null) return null;
  return {
    marketId: market.id,
    outcomes: [...market.outcomes],
    openedAt: market.createdAt,
    closesAt: market.closedAt ?? market.resolvedAt ?? market.closesAt,
    resolvedOutcome: market.resolvedOutcome,
  };
}

/**
 * Spreads a stated probability over a market's outcomes. Binary: the named outcome (the first when none is named)
 * gets p and the other 1 - p. With 3 or more outcomes an outcome must be named; it gets p and the others share
 * 1 - p in proportion to their current prices, so stating a view on one outcome keeps the market's view of the rest.
 */
export function spreadForecast(prices: readonly number[], outcome: number, probability: number): number[] {
  const othersTotal = prices.reduce((sum, price, index) => (index === outcome ? sum : sum + price), 0);
  return prices.map((price, index) => (index === outcome ? probability : ((1 - probability) * price) / othersTotal));
}

export class ForecastService {
  constructor(
    private readonly store: ForecastStore,
    private readonly reads: ScoringReads,
  ) {}

  /** Through runUseCase, so a request id reused by another member or for another command is refused, not dropped. */
  state(command: ForecastCommand, context: Context): Result<ForecastRecorded> {
    return runUseCase(this.store, context, () => this.record(command, context));
  }

  private record(command: ForecastCommand, context: Context): ForecastRecorded {
    const market = this.store.findMarketBySlug(context.realm, command.marketId);
    if (!market) throw unknownMarket(command.marketId);
    // Forecasts after trading stops are never scored, so taking one would only mislead its author.
    if (!isTradable(market, context.now)) {
      throw new CruxError('market_not_open', `Market \`${market.slug}\` is ${market.status === 'open' ? 'closed' : market.status}; forecasts are taken while it trades.`);
    }
    if (command.outcome === undefined && market.outcomes.length > 2) {
      throw new CruxError('invalid_input', `Market \`${market.slug}\` has ${market.outcomes.length} outcomes: name the outcome your probability is for.`);
    }
    const outcome = command.outcome === undefined ? 0 : outcomeIndex(market, command.outcome);
    const probabilities = spreadForecast(currentPrices(market), outcome, command.probability);
    this.store.insertForecast({
      userId: context.actor.userId,
      marketId: market.id,
      at: context.now,
      probabilities,
      requestId: context.requestId ?? null,
    });
    return { market, outcome, probabilities };
  }

  /** Every user with a scored forecast in the guild (all guilds for null), ordered by userId. */
  scoredUsers(guildId: string | null): ScoredUser[] {
    return this.reads.consistently(() => this.score(this.reads.resolvedMarkets(guildId), this.reads.profits(guildId)));
  }

  /**
   * One user's scores, or null when none of their forecasts is scored yet. Only the markets they forecast on are
   * read, each with everyone's forecasts (the median Brier needs them), so the numbers equal their scoredUsers row.
   */
  scoredUser(userId: string, guildId: string | null): ScoredUser | null {
    return this.reads.consistently(() => {
      const profit = this.reads.profitOf(userId, guildId);
      const scored = this.score(this.reads.resolvedMarketsForecastBy(userId, guildId), profit ? [profit] : []);
      return scored.find((user) => user.userId === userId) ?? null;
    });
  }

  private score(markets: readonly ScoredMarket[], profits: readonly UserProfit[]): ScoredUser[] {
    const accumulator = new UserSummaryAccumulator({ profitByUser: new Map(profits.map((row) => [row.userId, row.profit])) });
    // The accumulator's order, which SQLite's ORDER BY on text is not for every character.
    for (const market of markets.toSorted((a, b) => compareIds(a.marketId, b.marketId))) {
      accumulator.addMarket(market, this.reads.forecastsOn(market.marketId));
    }
    const names = new Map(profits.map((row) => [row.userId, row.displayName]));
    return accumulator.summaries().map((summary) => ({ ...summary, displayName: names.get(summary.userId) ?? null }));
  }
}
