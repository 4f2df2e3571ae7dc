import { type ForecastStore, type MarketFacts, type MarketForecasts, type ScoringReads, type StatedForecast, toScoredMarket } from '../markets/forecasts.ts';
import type { LedgerReason, RecordedLedgerEntry } from '../markets/ledger.ts';
import type { Market, MarketStatus } from '../markets/market.ts';
import { type Forecast, type PricePoint, type ScoredMarket, sortByTime } from '../markets/scoring/index.ts';
import { CorruptRowError } from './rows.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** Where a forecast came from: a trade (the price right after it) or /forecast. */
export type ForecastSource = 'trade' | 'stated';

/** A ledger entry as exported: without the request id, which identifies a Discord interaction, not money. */
export type ExportedLedgerEntry = Omit<RecordedLedgerEntry, 'requestId'>;

export interface ForecastRecord extends Forecast {
  readonly source: ForecastSource;
}

/** A market as the exports show it. */
export interface MarketRecord extends MarketFacts {
  readonly guildId: string | null;
  readonly question: string;
  readonly createdBy: string;
  readonly liquidity: number;
}

/* The two streams that can reach a million rows are read as arrays (`.raw()`), which skips building a keyed object
   per row inside the driver; the column order is the SELECT's. */

/** user_id, market_id, at, probabilities, source */
type ForecastRow = [string, string, number, string, ForecastSource];

/** user_id, market_id, at, probabilities */
type ScoredForecastRow = [string, string, number, string];

interface MarketRecordRow {
  id: string;
  guild_id: string | null;
  question: string;
  outcomes: string;
  status: MarketStatus;
  created_by: string;
  created_at: number;
  closes_at: number;
  closed_at: number | null;
  resolved_outcome: number | null;
  resolved_at: number | null;
  liquidity: number;
}

/** id, at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after */
type LedgerRow = [number, number, string, string, number, LedgerReason, string | null, string | null, number | null, number | null, string | null];

/** `@guild` null means every guild. */
const IN_GUILD = '(@guild IS NULL OR m.guild_id = @guild)';

/**
 * Both kinds of forecast in one stream, ordered per market by time; on equal times trades come before stated
 * forecasts and each kind keeps its record order, which is the order the scoring treats as "later wins".
 */
const FORECASTS = `
  SELECT user_id, market_id, at, probabilities, source FROM (
    SELECT l.holder AS user_id, l.market_id, l.at, l.prices_after AS probabilities, 'trade' AS source, 0 AS kind, l.id
    FROM ledger l JOIN markets m ON m.id = l.market_id
    WHERE l.reason IN ('buy', 'sell') AND ${IN_GUILD}
    UNION ALL
    SELECT f.user_id, f.market_id, f.at, f.probabilities, 'stated', 1, f.id
    FROM forecasts f JOIN markets m ON m.id = f.market_id
    WHERE ${IN_GUILD}
  )
  ORDER BY market_id, at, kind, id`;

/**
 * The same order for scoring, as two streams merged market by market in forecastsByResolvedMarket: sorting a
 * million trades by time in SQL costs more than reading them as they lie, market by market in record order
 * (markets scanned by id, each one's trades through ledger_by_market), and putting each market's few hundred in
 * time order here. The `+` keep SQLite on that plan, so no temporary b-tree is built.
 */
const TRADES_ON_RESOLVED = `
  SELECT l.holder, l.market_id, l.at, l.prices_after
  FROM markets m JOIN ledger l ON l.market_id = m.id
  WHERE +l.reason IN ('buy', 'sell') AND +m.status = 'resolved' AND ${IN_GUILD}
  ORDER BY m.id, l.id`;

const STATED_ON_RESOLVED = `
  SELECT f.user_id, f.market_id, f.at, f.probabilities
  FROM forecasts f JOIN markets m ON m.id = f.market_id
  WHERE m.status = 'resolved' AND ${IN_GUILD}
  ORDER BY f.market_id, f.at, f.id`;

/**
 * The scoring reads and the export streams. Every stream uses `.iterate()`, so an export of a million trades holds
 * one row at a time. Tables are STRICT, so column types are already checked by SQLite; only JSON text is parsed here.
 */
export class ScoringStore implements ForecastStore, ScoringReads {
  private readonly statements;

  constructor(private readonly store: SqliteStore) {
    const { db } = store;
    this.statements = {
      insertForecast: db.prepare(
        `INSERT INTO forecasts (market_id, user_id, at, probabilities, request_id)
         VALUES (@marketId, @userId, @at, @probabilities, @requestId) ON CONFLICT (request_id) DO NOTHING`,
      ),
      resolvedMarkets: db.prepare<{ guild: string | null }, MarketRecordRow>(
        `SELECT m.* FROM markets m WHERE m.status = 'resolved' AND ${IN_GUILD} ORDER BY m.id`,
      ),
      markets: db.prepare<{ guild: string | null }, MarketRecordRow>(`SELECT m.* FROM markets m WHERE ${IN_GUILD} ORDER BY m.id`),
      tradesOnResolved: db.prepare<{ guild: string | null }, ScoredForecastRow>(TRADES_ON_RESOLVED).raw(),
      statedOnResolved: db.prepare<{ guild: string | null }, ScoredForecastRow>(STATED_ON_RESOLVED).raw(),
      allForecasts: db.prepare<{ guild: string | null }, ForecastRow>(FORECASTS).raw(),
      statedForecasts: db.prepare<{ guild: string | null }, ForecastRow>(
        `SELECT f.user_id, f.market_id, f.at, f.probabilities, 'stated' AS source
         FROM forecasts f JOIN markets m ON m.id = f.market_id WHERE ${IN_GUILD} ORDER BY f.market_id, f.at, f.id`,
      ).raw(),
      ledger: db
        .prepare<{ guild: string | null }, LedgerRow>(
          `SELECT l.id, l.at, l.from_account, l.to_account, l.amount, l.reason, l.market_id, l.holder, l.outcome, l.shares, l.prices_after
           FROM ledger l
           WHERE @guild IS NULL OR l.market_id IN (SELECT m.id FROM markets m WHERE m.guild_id = @guild)
           ORDER BY l.id`,
        )
        .raw(),
      pricePath: db.prepare<[string], { at: number; prices_after: string }>(
        'SELECT at, prices_after FROM ledger WHERE market_id = ? AND prices_after IS NOT NULL ORDER BY id',
      ),
    };
  }

  atomically<T>(work: () => T): T {
    return this.store.atomically(work);
  }

  findMarket(id: string): Market | undefined {
    return this.store.findMarket(id);
  }

  insertForecast(forecast: StatedForecast): void {
    this.statements.insertForecast.run({ ...forecast, probabilities: JSON.stringify(forecast.probabilities) });
  }

  resolvedMarkets(guildId: string | null): ScoredMarket[] {
    return this.statements.resolvedMarkets.all({ guild: guildId }).map((row) => {
      const scored = toScoredMarket(toMarketRecord(row));
      if (!scored) throw new CorruptRowError(`Corrupt row in markets (id ${row.id}): resolved without an outcome`);
      return scored;
    });
  }

  /**
   * The forecasts on resolved markets, one market at a time in marketId order, each market's in time order: the
   * scoring folds them market by market, so only one market's forecasts are ever held.
   */
  *forecastsByResolvedMarket(guildId: string | null): Generator<MarketForecasts> {
    const trades = byMarket(this.statements.tradesOnResolved.iterate({ guild: guildId }));
    const stated = byMarket(this.statements.statedOnResolved.iterate({ guild: guildId }));
    let trade = trades.next();
    let statement = stated.next();
    while (!trade.done || !statement.done) {
      const order = trade.done ? 1 : statement.done ? -1 : compareAsSqlite(trade.value.marketId, statement.value.marketId);
      if (order < 0 && !trade.done) {
        yield { marketId: trade.value.marketId, forecasts: [...sortByTime(trade.value.forecasts)] };
        trade = trades.next();
      } else if (order > 0 && !statement.done) {
        yield statement.value;
        statement = stated.next();
      } else if (!trade.done && !statement.done) {
        yield { marketId: trade.value.marketId, forecasts: mergeInTime(sortByTime(trade.value.forecasts), statement.value.forecasts) };
        trade = trades.next();
        statement = stated.next();
      }
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

  *markets(guildId: string | null): Generator<MarketRecord> {
    for (const row of this.statements.markets.iterate({ guild: guildId })) yield toMarketRecord(row);
  }

  /** The ledger in order; for one guild, only the rows of its markets (grants and allowances belong to no guild). */
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
  profits(guildId: string | null): { userId: string; displayName: string | null; profit: number }[] {
    return this.store.profits(guildId, Infinity);
  }
}

/** Consecutive rows of one market as one group, parsed; the rows come grouped by market. */
function* byMarket(rows: Iterable<ScoredForecastRow>): Generator<MarketForecasts> {
  let current: MarketForecasts | undefined;
  for (const [userId, marketId, at, probabilities] of rows) {
    if (current?.marketId !== marketId) {
      if (current) yield current;
      current = { marketId, forecasts: [] };
    }
    current.forecasts.push({ userId, marketId, at, probabilities: parseNumbers(probabilities, `forecast of ${userId} on ${marketId}`) });
  }
  if (current) yield current;
}

/** One market's trades and stated forecasts, each in time order, as one list in time order; trades first on a tie. */
function mergeInTime(trades: readonly Forecast[], stated: readonly Forecast[]): Forecast[] {
  const merged: Forecast[] = [];
  let t = 0;
  let s = 0;
  while (t < trades.length || s < stated.length) {
    if (s === stated.length || (t < trades.length && trades[t]!.at <= stated[s]!.at)) merged.push(trades[t++]!);
    else merged.push(stated[s++]!);
  }
  return merged;
}

/**
 * SQLite's order on TEXT (BINARY: UTF-8 bytes, which is code point order), which both streams come in. JS's `<`
 * compares UTF-16 code units, which puts U+E000..U+FFFF after characters outside the BMP.
 */
function compareAsSqlite(a: string, b: string): number {
  for (let index = 0; index < a.length && index < b.length; index++) {
    const x = a.codePointAt(index)!;
    const y = b.codePointAt(index)!;
    if (x !== y) return x - y;
    if (x > 0xffff) index++;
  }
  return a.length - b.length;
}

function toForecastRecord([userId, marketId, at, probabilities, source]: ForecastRow): ForecastRecord {
  return { userId, marketId, at, probabilities: parseNumbers(probabilities, `forecast of ${userId} on ${marketId}`), source };
}

function toMarketRecord(row: MarketRecordRow): MarketRecord {
  return {
    id: row.id,
    guildId: row.guild_id,
    question: row.question,
    outcomes: parseStrings(row.outcomes, `market ${row.id}`),
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    closesAt: row.closes_at,
    closedAt: row.closed_at,
    resolvedOutcome: row.resolved_outcome,
    resolvedAt: row.resolved_at,
    liquidity: row.liquidity,
  };
}

function parseJsonArray(text: string, where: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new CorruptRowError(`Corrupt JSON array in ${where}: ${text.slice(0, 80)}`);
}

function parseNumbers(text: string, where: string): number[] {
  const values = parseJsonArray(text, where);
  if (!values.every((value): value is number => typeof value === 'number')) throw new CorruptRowError(`Non-numbers in ${where}`);
  return values;
}

function parseStrings(text: string, where: string): string[] {
  const values = parseJsonArray(text, where);
  if (!values.every((value): value is string => typeof value === 'string')) throw new CorruptRowError(`Non-strings in ${where}`);
  return values;
}
