import { SqliteSettlementStore } from '../../db/settlement-store.ts';
import { SettlementService } from '../../markets/settlement/service.ts';
import { join } from 'node:path';
import { SqliteConditionStore } from '../../db/cruxes-store.ts';
import { openDatabase } from '../../db/open.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { verify } from '../../db/verify.ts';
import { creditsToMillis, type Millis } from '../../markets/money.ts';
import { type Context, type EngineSettings, MarketService, type TradeResult } from '../../markets/service.ts';
import type { Result } from '../../markets/errors.ts';
import { T0, ok } from '../support/engine.ts';
import { openBenchMarket } from './markets.ts';
import { combineRates, measureInterleaved, measureRate, percentile, timeMs, withTempDir } from './measure.ts';
import { pick, randomInt, seededRandom } from './random.ts';
import { openRawCommits } from './raw-commits.ts';
import type { Report } from './report.ts';
import { TransactionTimingStore } from './timed-store.ts';

const WARM_SECONDS = 1;
const ROUNDS = 6;
const TRADE_SLICE_SECONDS = 1.5;
const RAW_SLICE_SECONDS = 1;
const TRADERS = 50;
/** Outcomes per market: mostly binary, as on the server, plus a wide one that makes every quote dearer. */
const MARKET_SHAPES = [2, 2, 2, 2, 5, 20];
const SELL_SHARE = 0.3;
/** Rich enough that no trader runs dry however the seeded sequence falls. */
const SETTINGS: EngineSettings = { startingGrant: creditsToMillis(1_000_000), dailyAllowance: 0, defaultLiability: 1_000 };

interface OpenMarket {
  id: string;
  outcomes: number;
}

function openMarkets(service: MarketService): OpenMarket[] {
  const maker: Context = { realm: 'console', actor: { userId: 'bench-maker', isModerator: true }, now: T0 };
  return MARKET_SHAPES.map((outcomes, i) => ({ id: openBenchMarket(service, `bench-${i}`, outcomes, maker).id, outcomes }));
}

/** A snowflake of 2026, where the bench's interaction ids start. */
const FIRST_INTERACTION_ID = 1_440_000_000_000_000_000n;

/**
 * A stream of trades the way the bot makes them: each a separate use case (own transaction, own request
 * id), random traders on random markets, mostly buys of 1–50 credits and now and then selling half a holding.
 */
class TradeStream {
  private readonly holdings = new Map<string, Millis>();
  private made = 0;
  private readonly random = seededRandom(20261124);

  constructor(
    private readonly service: MarketService,
    private readonly markets: OpenMarket[],
  ) {}

  next(): void {
    const index = (this.made += 1);
    const market = pick(this.random, this.markets);
    const outcome = randomInt(this.random, market.outcomes);
    const trader = `trader-${randomInt(this.random, TRADERS)}`;
    const context: Context = { realm: 'console',
      actor: { userId: trader, displayName: trader, isModerator: false },
      now: T0 + index,
      // Discord interaction ids are snowflakes, integers that only grow: the ids here are too.
      requestId: String(FIRST_INTERACTION_ID + BigInt(index)),
    };
    const holding = `${trader}/${market.id}/${outcome}`;
    const held = this.holdings.get(holding) ?? 0;
    const result: Result<TradeResult> =
      held > 1 && this.random() < SELL_SHARE
        ? this.service.sell({ marketId: market.id, outcome, shares: Math.ceil(held / 2) }, context)
        : this.service.buy({ marketId: market.id, outcome, amount: creditsToMillis(1 + randomInt(this.random, 50)) }, context);
    this.holdings.set(holding, ok(result).position);
  }
}

/** The engine on `store`, with the bench's markets open and a stream of trades on them. */
function tradeStreamOn(store: SqliteStore): TradeStream {
  const conditions = new SqliteConditionStore(store.db);
  const settlements = new SettlementService(store, new SqliteSettlementStore(store.db), () => ({ windowMs: 0, recusalRequired: false, recusalMs: 0, quorumPool: 0 }), conditions);
  const service = new MarketService(store, () => SETTINGS, settlements, conditions);
  return new TradeStream(service, openMarkets(service));
}

/** Members trading at once through group commit, each waiting for its trade to reach the disk before the next, as a reply does. */
const GROUPED_MEMBERS = 50;
const GROUPED_SECONDS = 3;

/** Durable trades per second when `GROUPED_MEMBERS` trade at once and share their disk syncs, as the bot's connection does. */
async function groupedTradesPerSecond(path: string): Promise<number> {
  const db = openDatabase(path, { groupCommit: true });
  const store = new SqliteStore(db);
  try {
    const stream = tradeStreamOn(store);
    let count = 0;
    const start = performance.now();
    const deadline = start + GROUPED_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: GROUPED_MEMBERS }, async () => {
        while (performance.now() < deadline) {
          stream.next();
          await store.durable();
          count += 1;
        }
      }),
    );
    return count / ((performance.now() - start) / 1000);
  } finally {
    db.close();
  }
}

/**
 * Durable trades per second through the use cases, one after another each synced on its own (a member trading
 * alone), against durable single-row commits on the same disk; then many members at once sharing their syncs.
 */
export async function runTradesBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    report.note(`files in ${dir}, WAL, each commit synced before the next (synchronous FULL)`);
    const raw = openRawCommits(join(dir, 'raw.sqlite'));
    const db = openDatabase(join(dir, 'crux.sqlite'));
    const store = new TransactionTimingStore(db);
    try {
      const stream = tradeStreamOn(store);
      const trade = () => stream.next();
      measureRate(WARM_SECONDS, raw.commitOne);
      measureRate(WARM_SECONDS, trade);
      store.resetTimings();
      // Each raw commit is one page and one sync: their slowest show the disk's own pauses, whatever Crux does.
      const rawCommitMs: number[] = [];
      const timedRawCommit = () => {
        const start = performance.now();
        raw.commitOne();
        rawCommitMs.push(performance.now() - start);
      };
      const rounds = measureInterleaved(ROUNDS, {
        raw: { seconds: RAW_SLICE_SECONDS, step: timedRawCommit },
        trades: { seconds: TRADE_SLICE_SECONDS, step: trade },
      });
      const trades = combineRates(rounds.trades);
      const commits = combineRates(rounds.raw);
      report.note(
        `${trades.count} trades in ${trades.seconds.toFixed(1)} s over ${MARKET_SHAPES.length} markets (${MARKET_SHAPES.join(', ')} outcomes) and ${TRADERS} traders, ` +
          `${commits.count} single-row commits in ${commits.seconds.toFixed(1)} s, alternating in ${ROUNDS} rounds`,
      );
      const roundRatios = rounds.trades.map((rate, i) => (rate.perSecond / (rounds.raw[i]?.perSecond ?? NaN)).toFixed(2));
      report.note(`trades/raw round by round ${roundRatios.join(' ')}`);

      const verified = timeMs(() => verify(store.db));
      if (!verified.value.ok) throw new Error(`the benchmark's ledger does not verify:\n${verified.value.problems.join('\n')}`);

      report.figure('trades_per_s', trades.perSecond);
      report.figure('sqlite_raw_txn_per_s', commits.perSecond);
      report.figure('trades_vs_raw', trades.perSecond / commits.perSecond, 2);
      report.figure('trade_work_us', (store.workMs / store.transactions) * 1000);
      report.figure('trade_commit_us', (store.commitMs / store.transactions) * 1000);
      report.figure('raw_commit_us', 1e6 / commits.perSecond);
      rawCommitMs.sort((a, b) => a - b);
      report.figure('raw_commit_p99_ms', percentile(rawCommitMs, 0.99), 2);
      report.figure('raw_commit_max_ms', rawCommitMs.at(-1) ?? Number.NaN, 1);
      report.figure('raw_commits_over_10_ms', rawCommitMs.filter((ms) => ms > 10).length);
      report.figure('verify_ms', verified.ms, 1);
      report.figure('verify_entries', verified.value.entries);
      const grouped = await groupedTradesPerSecond(join(dir, 'grouped.sqlite'));
      report.note(`group commit: ${GROUPED_MEMBERS} members trading at once for ${GROUPED_SECONDS} s, each waiting for its trade's shared disk sync before the next`);
      report.figure('trades_grouped_per_s', grouped);
    } finally {
      store.db.close();
      raw.close();
    }
  });
}
