import { CruxError, type Result } from './errors.ts';
import { currentPrices, isTradable, type Market, type MarketStatus, outcomeIndex } from './market.ts';
import type { Forecast, ScoredMarket, UserSummary } from './scoring/index.ts';
import type { RealmId } from './realms/realm.ts';
import { type Context, unknownMarket } from './service.ts';
import { type RequestStore, runUseCase } from './use-case.ts';

/** A trade's place in the one order of forecasts is its ledger id times this; stated forecasts take the numbers between. */
export const SEQ_PER_ENTRY = 1_000_000;

/** A forecast with its place in commit order (SCORING_DEFINITIONS.order). */
export interface SequencedForecast extends Forecast {
  readonly seq: number;
}

/** Time order, and on equal times commit order: the order scoring reads forecasts in. */
export function inCommitOrder(a: SequencedForecast, b: SequencedForecast): number {
  return a.at - b.at || a.seq - b.seq;
}

/** A forecast stated with /forecast rather than made by trading. */
export interface StatedForecast extends Forecast {
  /** The Discord interaction (or console line) that stated it: the same request is recorded once. */
  readonly requestId: string | null;
  /** Their name when they stated it, so a member who never traded (and has no account) is still named. */
  readonly displayName: string | null;
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

/** The score boards: each ranks members by the mean over their scored markets of one stored per-market score. */
export const SCORE_BOARDS = ['peer', 'baseline', 'relative', 'brier', 'log'] as const;
export type ScoreBoard = (typeof SCORE_BOARDS)[number];

export interface BoardQuery {
  readonly guildId: string | null;
  readonly by: ScoreBoard;
  /** Members with fewer scored markets are left off. */
  readonly minMarkets: number;
  readonly limit: number;
}

/** One member on a score board: the mean of the chosen score over `markets` scored markets. */
export interface BoardRow {
  readonly userId: string;
  readonly displayName: string | null;
  readonly markets: number;
  readonly value: number;
}

/** A member's stored scores, before their profit is joined in. */
export type StoredUserScores = Omit<ScoredUser, 'profit'>;

/**
 * What scoring needs from storage: the per-member scores stored when markets settle (see db/score-store.ts), which
 * equal a full recomputation from the forecasts, and the profits from the ledger.
 */
export interface ScoringReads {
  /** Runs the reads inside on one snapshot, so the scores and profits they return agree. */
  consistently<T>(read: () => T): T;
  /** Every member with a scored market in the guild (all guilds for null), ordered by userId. */
  storedScores(guildId: string | null): StoredUserScores[];
  /** One member's scores in the guild, over the markets with `tag` when given; undefined when none is scored. */
  storedScoresOf(userId: string, guildId: string | null, tag?: string): StoredUserScores | undefined;
  board(query: BoardQuery): BoardRow[];
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
  /** Each outcome's probability (0..1, in outcome order) as stored with the resolution; absent or null: certain of the outcome. */
  readonly resolvedProbabilities?: readonly number[] | null;
}

/**
 * The scoring view of a resolved market, null for any other. The window opens when the market was created and ends
 * when trading stopped: at its scheduled close, or earlier if it was closed or settled before then. A market left open
 * past its close time (no close job ran) stopped trading at the close time all the same, since trades are refused then.
 */
export function toScoredMarket(market: MarketFacts): ScoredMarket | null {
  if (market.status !== 'resolved' || market.resolvedOutcome === null) return null;
  const probabilities = market.resolvedProbabilities ?? null;
  // A distribution certain of one outcome is an ordinary resolution to it, scored exactly as one.
  const certain = probabilities === null ? market.resolvedOutcome : probabilities.indexOf(1);
  return {
    marketId: market.id,
    outcomes: [...market.outcomes],
    openedAt: market.createdAt,
    closesAt: Math.min(market.closesAt, market.closedAt ?? market.resolvedAt ?? market.closesAt),
    resolvedOutcome: certain === -1 ? market.resolvedOutcome : certain,
    ...(certain === -1 && probabilities !== null && { resolvedProbabilities: [...probabilities] }),
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
      displayName: context.actor.displayName ?? null,
    });
    return { market, outcome, probabilities };
  }

  /** Every user with a scored forecast in the guild (all guilds for null), ordered by userId. */
  scoredUsers(guildId: string | null): ScoredUser[] {
    return this.reads.consistently(() => {
      const profits = new Map(this.reads.profits(guildId).map((row) => [row.userId, row.profit]));
      return this.reads.storedScores(guildId).map((user) => ({ ...user, profit: profits.get(user.userId) ?? 0 }));
    });
  }

  /**
   * One user's scores, over the markets with `tag` when given, or null when none of their forecasts is scored yet.
   * Profit is over all their markets in the guild.
   */
  scoredUser(userId: string, guildId: string | null, tag?: string): ScoredUser | null {
    return this.reads.consistently(() => {
      const scores = this.reads.storedScoresOf(userId, guildId, tag);
      return scores ? { ...scores, profit: this.reads.profitOf(userId, guildId)?.profit ?? 0 } : null;
    });
  }

  /** The best members by one score, with how many markets each is scored on. */
  board(query: BoardQuery): BoardRow[] {
    return this.reads.board(query);
  }
}
