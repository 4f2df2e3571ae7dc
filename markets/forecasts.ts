import { CruxError, isCruxError, type Result } from './errors.ts';
import { currentPrices, isTradable, type Market, type MarketStatus, outcomeIndex } from './market.ts';
import { type Forecast, type ScoredMarket, UserSummaryAccumulator, type UserSummary } from './scoring/index.ts';
import type { Context } from './service.ts';

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

/** What stating a forecast needs from storage. */
export interface ForecastStore {
  atomically<T>(work: () => T): T;
  findMarket(id: string): Market | undefined;
  /** Records the forecast unless its requestId was recorded before. */
  insertForecast(forecast: StatedForecast): void;
}

/** One market's forecasts, in time order. */
export interface MarketForecasts {
  readonly marketId: string;
  readonly forecasts: Forecast[];
}

/** What scoring needs from storage: only resolved markets and the forecasts on them. */
export interface ScoringReads {
  resolvedMarkets(guildId: string | null): ScoredMarket[];
  /** Forecasts from trades and stated forecasts, on resolved markets only, one market at a time in marketId order. */
  forecastsByResolvedMarket(guildId: string | null): Iterable<MarketForecasts>;
  profits(guildId: string | null): { userId: string; displayName: string | null; profit: number }[];
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

  state(command: ForecastCommand, context: Context): Result<ForecastRecorded> {
    try {
      return { ok: true, value: this.store.atomically(() => this.record(command, context)) };
    } catch (error) {
      if (isCruxError(error)) return { ok: false, error };
      throw error;
    }
  }

  private record(command: ForecastCommand, context: Context): ForecastRecorded {
    const market = this.store.findMarket(command.marketId);
    if (!market) throw new CruxError('unknown_market', `There is no market \`${command.marketId}\`.`);
    // Forecasts after trading stops are never scored, so taking one would only mislead its author.
    if (!isTradable(market, context.now)) {
      throw new CruxError('market_not_open', `Market \`${market.id}\` is ${market.status === 'open' ? 'closed' : market.status}; forecasts are taken while it trades.`);
    }
    if (command.outcome === undefined && market.outcomes.length > 2) {
      throw new CruxError('invalid_input', `Market \`${market.id}\` has ${market.outcomes.length} outcomes: name the outcome your probability is for.`);
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
    const profits = this.reads.profits(guildId);
    const markets = new Map(this.reads.resolvedMarkets(guildId).map((market) => [market.marketId, market]));
    const accumulator = new UserSummaryAccumulator({ profitByUser: new Map(profits.map((row) => [row.userId, row.profit])) });
    for (const { marketId, forecasts } of this.reads.forecastsByResolvedMarket(guildId)) {
      const market = markets.get(marketId);
      // Absent only if it resolved between the two reads: it is scored next time, whole.
      if (market) accumulator.addMarket(market, forecasts);
    }
    const summaries = accumulator.summaries();
    const names = new Map(profits.map((row) => [row.userId, row.displayName]));
    return summaries.map((summary) => ({ ...summary, displayName: names.get(summary.userId) ?? null }));
  }
}
