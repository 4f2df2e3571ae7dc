import { z } from 'zod';
import {
  type ForecastStore,
  inCommitOrder,
  type MarketFacts,
  SEQ_PER_ENTRY,
  type SequencedForecast,
  type StatedForecast,
  type UserProfit,
} from '../markets/forecasts.ts';
import type { LedgerReason, RecordedLedgerEntry } from '../markets/ledger.ts';
import type { Market, MarketStatus } from '../markets/market.ts';
import type { RememberedRequest } from '../markets/store.ts';
import type { PricePoint } from '../markets/scoring/index.ts';
import type { OutsideReading } from '../markets/sources/odds.ts';
import { PERCENT } from '../markets/settlement/distribution.ts';
import { CorruptRowError, parseRow, percentsColumn } from './rows.ts';
import type { SqliteStore } from './sqlite-store.ts';
import type { RealmId } from '../markets/realms/realm.ts';

/** Where a forecast came from: a trade (the price right after it) or /forecast. */
export type ForecastSource = 'trade' | 'stated';

/** A ledger entry as exported: without the request id, which identifies a Discord interaction, not money. */
export type ExportedLedgerEntry = Omit<RecordedLedgerEntry, 'requestId'>;

export interface ForecastRecord extends SequencedForecast {
  readonly source: ForecastSource;
  /** Its place in commit order (SCORING_DEFINITIONS.order). */
  readonly seq: number;
}


/** A market as the exports show it. */
export interface MarketRecord extends MarketFacts {
  /** The realm the market belongs to; its scores count there (and in every realm's totals). */
  readonly realm: string;
  readonly guildId: string | null;
  readonly question: string;
  readonly createdBy: string;
  readonly liquidity: number;
  /** The market this one is conditional on, and the outcome it assumes (both null for an ordinary market). */
  readonly conditionMarketId: string | null;
  readonly conditionOutcome: string | null;
  /** The newest odds of each linked platform, in the market's outcome order (read by the markets stream only). */
  readonly outsideOdds: readonly OutsideReading[];
  /** Every settlement decided for the market, oldest first: who decided it, whether they held a position, where it stands (markets stream only). */
  readonly settlements: readonly SettlementSummary[];
}

export interface SettlementSummary {
  readonly decidedBy: string;
  readonly heldPosition: boolean;
  readonly status: 'pending' | 'applied' | 'superseded';
}

/* The two streams that can reach a million rows are read as arrays (`.raw()`), which skips building a keyed object
   per row inside the driver; the column order is the SELECT's. */

/** user_id, market_id, at, probabilities, source, seq */
type ForecastRow = [string, string, number, string, ForecastSource, number];

/** user_id, at, probabilities, seq */
type MarketForecastRow = [string, number, string, number];

/** count, then JSON arrays of id, holder, at and prices_after (null when there are no trades) */
type MarketTradesRow = [number, string, string, string, string | null];

interface MarketRecordRow {
  id: string;
  realm: string;
  guild_id: string | null;
  question: string;
  outcomes: string;
  status: MarketStatus;
  created_by: string;
  created_at: number;
  closes_at: number;
  closed_at: number | null;
  resolved_outcome: number | null;
  /** JSON: whole percents per outcome (migration 012). */
  resolved_probabilities: string | null;
  resolved_at: number | null;
  liquidity: number;
  /** Only the markets stream joins the conditions; the scoring reads leave these out. */
  condition_market_id?: string | null;
  condition_outcome?: string | null;
  /** JSON: [{kind, at, probabilities}], the newest reading per link. */
  outside_odds?: string;
  /** JSON: [{decidedBy, heldPosition, status}], every settlement of the market, oldest first. */
  settlements?: string;
}

/** id, at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after */
type LedgerRow = [number, number, string, string, number, LedgerReason, string | null, string | null, number | null, number | null, string | null];

/** `@guild` names a realm (a guild id, or the console); null means every realm. */
export const IN_GUILD = '(@guild IS NULL OR m.realm = @guild)';

/** Both kinds of forecast in one stream, ordered per market by time and on equal times in commit order (seq). */
const FORECASTS = `
  SELECT user_id, market_id, at, probabilities, source, seq FROM (
    SELECT l.holder AS user_id, l.market_id, l.at, l.prices_after AS probabilities, 'trade' AS source, l.id * ${SEQ_PER_ENTRY} AS seq
    FROM ledger l JOIN markets m ON m.id = l.market_id
    WHERE l.reason IN ('buy', 'sell') AND ${IN_GUILD}
    UNION ALL
    SELECT f.user_id, f.market_id, f.at, f.probabilities, 'stated', f.seq
    FROM forecasts f JOIN markets m ON m.id = f.market_id
    WHERE ${IN_GUILD}
  )
  ORDER BY market_id, at, seq`;

/**
 * One market's trades as one row of JSON arrays, read through ledger_by_market: one row per market rather than one
 * per trade, since building a row object per trade was most of the cost of reading a million. SQLite does not
 * promise the order an aggregate sees its rows in, so the ids come along and the order is checked (tradesOn).
 */
const TRADES_ON_MARKET = `
  SELECT count(*), json_group_array(id), json_group_array(holder), json_group_array(at), '[' || group_concat(prices_after, ',') || ']'
  FROM (SELECT id, holder, at, prices_after FROM ledger WHERE market_id = ? AND reason IN ('buy', 'sell') ORDER BY id)`;

/** Row by row, only to name the row when the aggregated read of a market's prices does not parse. */
const TRADE_PRICES_ON_MARKET = `SELECT id, prices_after FROM ledger WHERE market_id = ? AND reason IN ('buy', 'sell') ORDER BY id`;

/** One market's stated forecasts in time and commit order, through forecasts_by_market. */
const STATED_ON_MARKET = 'SELECT user_id, at, probabilities, seq FROM forecasts WHERE market_id = ? ORDER BY at, seq';

/**
 * One member's profit in a realm (summed over every realm for null), as the leaderboard reads it: their account's
 * balance less the rows with no market (grants, allowances, the move into realms), plus what they made there before
 * realms. Only realms where they traded count, as on the leaderboard. The rows with no market are read through their
 * own partial indexes (migration 006), which trades never touch.
 */
const PROFIT_OF_USER = `
  SELECT MAX(a.display_name) AS display_name,
    SUM(a.balance + a.carried_profit
      - COALESCE((SELECT SUM(amount) FROM ledger WHERE market_id IS NULL AND to_account = a.id), 0)
      + COALESCE((SELECT SUM(amount) FROM ledger WHERE market_id IS NULL AND from_account = a.id), 0)) AS profit
  FROM accounts a
  WHERE a.kind = 'user' AND a.user_id = @user AND a.realm IS NOT NULL AND (@guild IS NULL OR a.realm = @guild)
    AND EXISTS (SELECT 1 FROM positions p JOIN markets m ON m.id = p.market_id WHERE p.user_id = @user AND m.realm = a.realm)
  HAVING COUNT(*) > 0`;

/**
 * A stated forecast's place: right after the last ledger entry committed before it, and after the stated forecasts
 * placed there already. Both maxima are read through a primary key or unique index, so this costs two lookups.
 */
const NEXT_STATED_SEQ = `MAX((SELECT COALESCE(MAX(id), 0) FROM ledger) * ${SEQ_PER_ENTRY}, (SELECT COALESCE(MAX(seq), 0) FROM forecasts)) + 1`;

/**
 * The scoring reads and the export streams. Every stream uses `.iterate()`, so an export of a million trades holds
 * one row at a time. Tables are STRICT, so column types are already checked by SQLite; only JSON text is parsed here.
 */
export class ScoringStore implements ForecastStore {
  private readonly statements;
  private readonly snapshot;

  constructor(private readonly store: SqliteStore) {
    const { db } = store;
    this.snapshot = db.transaction((read: () => unknown) => read());
    this.statements = {
      insertForecast: db.prepare(
        `INSERT INTO forecasts (market_id, user_id, at, probabilities, request_id, display_name, seq)
         VALUES (@marketId, @userId, @at, @probabilities, @requestId, @displayName, ${NEXT_STATED_SEQ}) ON CONFLICT (request_id) DO NOTHING`,
      ),
      market: db.prepare<[string], MarketRecordRow>('SELECT m.* FROM markets m WHERE m.id = ?'),
      markets: db.prepare<{ guild: string | null }, MarketRecordRow>(
        `SELECT m.*, c.condition_id AS condition_market_id, json_extract(cm.outcomes, '$[' || c.outcome || ']') AS condition_outcome,
           (SELECT json_group_array(json_object('kind', o.kind, 'at', o.at, 'probabilities', json(o.probabilities))) FROM outside_odds o
            WHERE o.id IN (SELECT MAX(id) FROM outside_odds WHERE market_id = m.id GROUP BY link_id)) AS outside_odds,
           (SELECT json_group_array(json_object('decidedBy', s.decided_by, 'heldPosition', s.decider_held_position, 'status', s.status))
            FROM (SELECT * FROM settlements WHERE market_id = m.id ORDER BY id) s) AS settlements
         FROM markets m LEFT JOIN market_conditions c ON c.market_id = m.id LEFT JOIN markets cm ON cm.id = c.condition_id
         WHERE ${IN_GUILD} ORDER BY m.id`,
      ),
      profitOf: db.prepare<{ user: string; guild: string | null }, { display_name: string | null; profit: number }>(PROFIT_OF_USER),
      tradesOnMarket: db.prepare<[string], MarketTradesRow>(TRADES_ON_MARKET).raw(),
      tradePricesOnMarket: db.prepare<[string], [number, string | null]>(TRADE_PRICES_ON_MARKET).raw(),
      statedOnMarket: db.prepare<[string], MarketForecastRow>(STATED_ON_MARKET).raw(),
      allForecasts: db.prepare<{ guild: string | null }, ForecastRow>(FORECASTS).raw(),
      statedForecasts: db.prepare<{ guild: string | null }, ForecastRow>(
        `SELECT f.user_id, f.market_id, f.at, f.probabilities, 'stated' AS source, f.seq
         FROM forecasts f JOIN markets m ON m.id = f.market_id WHERE ${IN_GUILD} ORDER BY f.market_id, f.at, f.seq`,
      ).raw(),
      ledger: db
        .prepare<{ guild: string | null }, LedgerRow>(
          `SELECT l.id, l.at, l.from_account, l.to_account, l.amount, l.reason, l.market_id, l.holder, l.outcome, l.shares, l.prices_after
           FROM ledger l
           WHERE @guild IS NULL OR l.market_id IN (SELECT m.id FROM markets m WHERE m.realm = @guild)
             OR (l.market_id IS NULL AND EXISTS (
               SELECT 1 FROM accounts a WHERE a.id IN (l.to_account, l.from_account) AND a.realm = @guild))
           ORDER BY l.id`,
        )
        .raw(),
      realms: db.prepare<[], { realm: string }>('SELECT DISTINCT realm FROM markets ORDER BY realm'),
      accountRealms: db.prepare<[], { id: string; realm: string }>('SELECT id, realm FROM accounts WHERE realm IS NOT NULL'),
      pricePath: db.prepare<[string], { at: number; prices_after: string }>(
        'SELECT at, prices_after FROM ledger WHERE market_id = ? AND prices_after IS NOT NULL ORDER BY id',
      ),
    };
  }

  atomically<T>(work: () => T): T {
    return this.store.atomically(work);
  }

  recallRequest(requestId: string): RememberedRequest | undefined {
    return this.store.recallRequest(requestId);
  }

  rememberRequest(requestId: string, request: RememberedRequest, at: number): void {
    this.store.rememberRequest(requestId, request, at);
  }

  findMarketBySlug(realm: RealmId, slug: string): Market | undefined {
    return this.store.findMarketBySlug(realm, slug);
  }

  insertForecast(forecast: StatedForecast): void {
    this.statements.insertForecast.run({ ...forecast, probabilities: JSON.stringify(forecast.probabilities) });
  }

  /**
   * Runs reads in one read transaction, so they all see the same moment: scores, profits and the list of resolved
   * markets then agree even while the bot writes. Inside a write transaction it is part of that transaction.
   */
  consistently<T>(read: () => T): T {
    return this.snapshot.deferred(read) as T;
  }

  market(marketId: string): MarketRecord | undefined {
    const row = this.statements.market.get(marketId);
    return row && toMarketRecord(row);
  }


  /**
   * One market's forecasts in time order: its trades (the price right after each) and its stated forecasts, merged;
   * on equal times in commit order (seq), which scoring treats as "later wins".
   */
  forecastsOn(marketId: string): readonly SequencedForecast[] {
    const trades = this.tradesOn(marketId);
    const stated = this.statements.statedOnMarket.all(marketId).map((row) => toForecast(marketId, row));
    return stated.length === 0 ? trades : mergeInCommitOrder(trades, stated);
  }

  /** One market's trades as forecasts, in time order and on equal times in record order. */
  private tradesOn(marketId: string): SequencedForecast[] {
    const [count, idsJson, holdersJson, timesJson, pricesJson] = this.statements.tradesOnMarket.get(marketId)!;
    if (count === 0) return [];
    const where = `the trades on ${marketId}`;
    const ids = parseNumbers(idsJson, where);
    const holders = parseStrings(holdersJson, where);
    const times = parseNumbers(timesJson, where);
    const prices = pricesJson === null ? [] : this.parseTradePrices(marketId, pricesJson);
    // group_concat skips nulls, so a trade without prices shows up as a shorter list; a row that is not one JSON
    // array either breaks the parse (found row by row below) or changes the count. Only several rows forged to fit
    // together could pass, and whoever can write rows could as well write wrong but well-formed prices.
    if (holders.length !== count || prices.length !== count) throw new CorruptRowError(`Corrupt trade rows on ${marketId}: a holder or prices_after is missing`);
    const order = timeThenRecordOrder(times, ids);
    const trades: SequencedForecast[] = new Array(count);
    for (let position = 0; position < count; position++) {
      const index = order[position]!;
      const probabilities = prices[index];
      if (!isNumberArray(probabilities)) throw new CorruptRowError(`Non-numbers in the prices of ledger row ${ids[index]}`);
      trades[position] = { userId: holders[index]!, marketId, at: times[index]!, probabilities, seq: ids[index]! * SEQ_PER_ENTRY };
    }
    return trades;
  }

  private parseTradePrices(marketId: string, pricesJson: string): unknown[] {
    try {
      return parseJsonArray(pricesJson, marketId);
    } catch (error) {
      for (const [id, text] of this.statements.tradePricesOnMarket.iterate(marketId)) {
        if (text === null) throw new CorruptRowError(`Corrupt ledger row ${id}: a trade without prices`);
        parseNumbers(text, `ledger row ${id}`);
      }
      throw error;
    }
  }

  /** Every forecast (made by trading or stated), per market in time order. */
  *forecasts(guildId: string | null): Generator<ForecastRecord> {
    for (const row of this.statements.allForecasts.iterate({ guild: guildId })) yield toForecastRecord(row);
  }

  /** Only the forecasts stated with /forecast, per market in time order. */
  *statedForecasts(guildId: string | null): Generator<ForecastRecord> {
    for (const row of this.statements.statedForecasts.iterate({ guild: guildId })) yield toForecastRecord(row);
  }

  /** Every realm that has markets, in order. */
  realms(): string[] {
    return this.statements.realms.all().map((row) => row.realm);
  }

  /** The realm of every account that has one (members' accounts in servers, markets' pools). */
  accountRealms(): Map<string, string> {
    return new Map(this.statements.accountRealms.all().map((row) => [row.id, row.realm]));
  }

  *markets(guildId: string | null): Generator<MarketRecord> {
    for (const row of this.statements.markets.iterate({ guild: guildId })) yield toMarketRecord(row);
  }

  /** The ledger in order; for one realm, the rows of its markets and the grants and allowances of its members. */
  *ledger(guildId: string | null): Generator<ExportedLedgerEntry> {
    for (const [id, at, from, to, amount, reason, marketId, holder, outcome, shares, pricesAfter] of this.statements.ledger.iterate({ guild: guildId })) {
      yield {
        id,
        at,
        from,
        to,
        amount,
        reason,
        marketId,
        holder,
        outcome,
        shares,
        pricesAfter: pricesAfter === null ? null : parseNumbers(pricesAfter, `ledger row ${id}`),
      };
    }
  }

  /** The market's prices at opening and right after each trade. */
  pricePath(marketId: string): PricePoint[] {
    return this.statements.pricePath
      .all(marketId)
      .map((row) => ({ at: row.at, probabilities: parseNumbers(row.prices_after, `price of ${marketId} at ${row.at}`) }));
  }

  /**
   * Per user, in millis: credits received from markets (sells, payouts, refunds) minus credits paid into them (buys)
   * or taken back by a corrected resolution (clawbacks); the same sum as the profit leaderboard's.
   */
  profits(guildId: string | null): UserProfit[] {
    return this.store.profits(guildId, Infinity);
  }

  /** profits(guildId) for one user, read from the markets they traded only; undefined if they never traded there. */
  profitOf(userId: string, guildId: string | null): UserProfit | undefined {
    const row = this.statements.profitOf.get({ user: userId, guild: guildId });
    return row && { userId, displayName: row.display_name, profit: row.profit };
  }
}

function toForecast(marketId: string, [userId, at, probabilities, seq]: MarketForecastRow): SequencedForecast {
  return { userId, marketId, at, probabilities: parseNumbers(probabilities, `forecast of ${userId} on ${marketId}`), seq };
}

/** The positions of the trades in time order, ties in record (id) order: the identity when they arrived so. */
function timeThenRecordOrder(times: readonly number[], ids: readonly number[]): number[] {
  const order = Array.from(times, (_, index) => index);
  const before = (a: number, b: number) => times[a]! - times[b]! || ids[a]! - ids[b]!;
  for (let index = 1; index < order.length; index++) {
    if (before(index - 1, index) > 0) return order.sort(before);
  }
  return order;
}

/** One market's trades and stated forecasts, each in commit order, as one list in commit order. */
function mergeInCommitOrder(trades: readonly SequencedForecast[], stated: readonly SequencedForecast[]): SequencedForecast[] {
  const merged: SequencedForecast[] = [];
  let t = 0;
  let s = 0;
  while (t < trades.length || s < stated.length) {
    if (s === stated.length || (t < trades.length && inCommitOrder(trades[t]!, stated[s]!) < 0)) merged.push(trades[t++]!);
    else merged.push(stated[s++]!);
  }
  return merged;
}

function toForecastRecord([userId, marketId, at, probabilities, source, seq]: ForecastRow): ForecastRecord {
  return { userId, marketId, at, probabilities: parseNumbers(probabilities, `forecast of ${userId} on ${marketId}`), source, seq };
}

function toMarketRecord(row: MarketRecordRow): MarketRecord {
  return {
    id: row.id,
    realm: row.realm,
    guildId: row.guild_id,
    question: row.question,
    outcomes: parseStrings(row.outcomes, `market ${row.id}`),
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    closesAt: row.closes_at,
    closedAt: row.closed_at,
    resolvedOutcome: row.resolved_outcome,
    resolvedProbabilities: row.resolved_probabilities === null ? null : parseRow(percentsColumn, 'resolved_probabilities', row.resolved_probabilities)?.map((percent) => percent / PERCENT) ?? null,
    resolvedAt: row.resolved_at,
    liquidity: row.liquidity,
    conditionMarketId: row.condition_market_id ?? null,
    conditionOutcome: row.condition_outcome ?? null,
    outsideOdds: row.outside_odds === undefined ? [] : parseRow(outsideOddsColumn, 'outside_odds', JSON.parse(row.outside_odds)),
    settlements: row.settlements === undefined ? [] : parseRow(settlementsColumn, 'settlements', JSON.parse(row.settlements)),
  };
}

const settlementsColumn = z.array(
  z.object({ decidedBy: z.string(), heldPosition: z.union([z.literal(0), z.literal(1)]).transform((held) => held === 1), status: z.enum(['pending', 'applied', 'superseded']) }),
);

const outsideOddsColumn = z.array(z.object({ kind: z.string(), at: z.number().int(), probabilities: z.array(z.number()) }));

function parseJsonArray(text: string, where: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new CorruptRowError(`Corrupt JSON array in ${where}: ${text.slice(0, 80)}`);
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

function parseNumbers(text: string, where: string): number[] {
  const values = parseJsonArray(text, where);
  if (!isNumberArray(values)) throw new CorruptRowError(`Non-numbers in ${where}`);
  return values;
}

function parseStrings(text: string, where: string): string[] {
  const values = parseJsonArray(text, where);
  if (!values.every((value): value is string => typeof value === 'string')) throw new CorruptRowError(`Non-strings in ${where}`);
  return values;
}
