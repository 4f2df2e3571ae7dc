import { CONSOLE_REALM } from '../../markets/realms/realm.ts';
import { openDatabase } from '../../db/open.ts';
import { ScoreStore } from '../../db/score-store.ts';
import { ScoringStore } from '../../db/scoring-store.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { MINT_ACCOUNT, marketAccount, userAccount } from '../../markets/ledger.ts';
import { openingShares, prices, worstCaseLoss } from '../../markets/lmsr.ts';
import type { Market } from '../../markets/market.ts';
import { chargeInMillis, creditsToMillis, type Millis } from '../../markets/money.ts';
import { quoteBuyForAmount } from '../../markets/trade.ts';
import { DAY, T0 } from '../support/engine.ts';
import { randomInt, seededRandom } from './random.ts';

export interface LargeDatabaseShape {
  users: number;
  markets: number;
  tradesPerMarket: number;
  /** The last this many markets stay open, traded like the others: what portfolios, cards and autocomplete read. */
  openMarkets: number;
}

/** The calibration export's target: a million trades by 10,000 members on 2,000 resolved markets. */
export const MILLION_TRADES: LargeDatabaseShape = { users: 10_000, markets: 2_000, tradesPerMarket: 500, openMarkets: 20 };

/** Three times that history (`BENCH_LARGE=1`): the reads behind each reply must cost the same on it. */
export const THREE_MILLION_TRADES: LargeDatabaseShape = { users: 30_000, markets: 6_000, tradesPerMarket: 500, openMarkets: 20 };

const GRANT = creditsToMillis(1_000_000);
const LIQUIDITY = 1_000;
const MARKETS_PER_TRANSACTION = 100;
const MODERATOR = 'bench-moderator';

/**
 * Writes a server's history straight into the tables, as the use cases would have left it, without running a million
 * use cases: each market is opened with its subsidy, traded by random members (priced by the real engine, so every
 * pool stays solvent), closed and resolved with its payouts and the unused subsidy settled back. Balances, positions
 * and outstanding shares are kept in step with the ledger rows, so `verify` holds on the result. Seeded: every run
 * builds the same file.
 */
export function buildLargeDatabase(path: string, shape: LargeDatabaseShape): void {
  const db = openDatabase(path);
  // Only while building: a benchmark's own set-up need not survive a power cut.
  db.pragma('synchronous = OFF');
  const random = seededRandom(20261124);
  const insertAccount = db.prepare(
    "INSERT INTO accounts (id, kind, display_name, balance, created_at, realm, user_id) VALUES (?, ?, ?, ?, ?, 'console', ?)",
  );
  const setBalance = db.prepare('UPDATE accounts SET balance = ?, off_market_net = ? WHERE id = ?');
  const insertMarket = db.prepare(
    `INSERT INTO markets (id, realm, slug, guild_id, channel_id, message_id, question, criteria, outcomes, liquidity, opening_shares, subsidy,
       status, created_by, created_at, closes_at, closed_at, resolved_outcome, resolved_by, resolution_evidence, resolved_at, tags)
     VALUES (@id, 'console', @id, NULL, NULL, NULL, @question, 'Decided by the benchmark.', @outcomes, @liquidity, @openingShares, @subsidy,
       @status, @createdBy, @createdAt, @closesAt, @closedAt, @resolvedOutcome, @resolvedBy, @evidence, @closedAt, '[]')`,
  );
  const insertEntry = db.prepare(
    `INSERT INTO ledger (at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after, request_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
  );
  const setBook = db.prepare('UPDATE accounts SET outstanding = ?, volume = ?, traders = ? WHERE id = ?');
  const insertPosition = db.prepare('INSERT INTO positions (market_id, user_id, outcome, shares) VALUES (?, ?, ?, ?)');

  const balances = new Map<string, Millis>();
  const offMarket = new Map<string, Millis>();
  const move = (at: number, from: string, to: string, amount: Millis, reason: string, marketId: string | null) => {
    insertEntry.run(at, from, to, amount, reason, marketId, null, null, null, null);
    balances.set(from, (balances.get(from) ?? 0) - amount);
    balances.set(to, (balances.get(to) ?? 0) + amount);
    if (marketId === null) {
      offMarket.set(from, (offMarket.get(from) ?? 0) - amount);
      offMarket.set(to, (offMarket.get(to) ?? 0) + amount);
    }
  };

  const users = Array.from({ length: shape.users }, (_, i) => `member-${i}`);
  db.transaction(() => {
    for (const user of users) {
      insertAccount.run(userAccount(CONSOLE_REALM, user), 'user', user, 0, T0, user);
      move(T0, MINT_ACCOUNT, userAccount(CONSOLE_REALM, user), GRANT, 'grant', null);
    }
  })();

  const tradeMarket = (index: number) => {
    const id = `market-${String(index).padStart(5, '0')}`;
    const outcomes = index % 10 === 0 ? ['A', 'B', 'C'] : ['Yes', 'No'];
    const q0 = openingShares(outcomes.map(() => 1 / outcomes.length), LIQUIDITY);
    const subsidy = chargeInMillis(worstCaseLoss(q0, LIQUIDITY));
    const createdAt = T0 + index * 60_000;
    const closedAt = createdAt + 30 * DAY;
    const market: Market = {
      id, realm: CONSOLE_REALM, slug: id, guildId: null, channelId: null, messageId: null, question: `Benchmark market ${index}?`, criteria: '', outcomes, liquidity: LIQUIDITY,
      openingShares: q0, outstanding: outcomes.map(() => 0), subsidy, pool: subsidy, status: 'open', createdBy: MODERATOR, createdAt,
      closesAt: closedAt, closedAt: null, resolution: null, tags: [],
    };
    const pool = marketAccount(id);
    insertAccount.run(pool, 'market', id, 0, createdAt, null);
    const winner = randomInt(random, outcomes.length);
    const stays = index >= shape.markets - shape.openMarkets;
    insertMarket.run({
      id, question: market.question, outcomes: JSON.stringify(outcomes), liquidity: LIQUIDITY, openingShares: JSON.stringify(q0),
      subsidy, createdBy: MODERATOR, createdAt, closesAt: stays ? closedAt + 3650 * DAY : closedAt,
      status: stays ? 'open' : 'resolved', closedAt: stays ? null : closedAt, resolvedOutcome: stays ? null : winner,
      resolvedBy: stays ? null : MODERATOR, evidence: stays ? null : 'benchmark',
    });
    insertEntry.run(createdAt, MINT_ACCOUNT, pool, subsidy, 'subsidy', id, null, null, null, JSON.stringify(prices(q0, LIQUIDITY)));
    balances.set(MINT_ACCOUNT, (balances.get(MINT_ACCOUNT) ?? 0) - subsidy);
    balances.set(pool, subsidy);

    const held = new Map<string, Millis>();
    let volume = 0;
    const traders = new Set<string>();
    const step = Math.floor((closedAt - createdAt) / (shape.tradesPerMarket + 1));
    for (let k = 1; k <= shape.tradesPerMarket; k++) {
      const user = users[randomInt(random, users.length)] ?? 'member-0';
      const outcome = randomInt(random, outcomes.length);
      const quote = quoteBuyForAmount(market, outcome, creditsToMillis(1 + randomInt(random, 20)));
      insertEntry.run(createdAt + k * step, userAccount(CONSOLE_REALM, user), pool, quote.cash, 'buy', id, user, outcome, quote.shares, JSON.stringify(quote.pricesAfter));
      balances.set(userAccount(CONSOLE_REALM, user), (balances.get(userAccount(CONSOLE_REALM, user)) ?? 0) - quote.cash);
      market.outstanding = quote.outstandingAfter;
      volume += quote.cash;
      traders.add(user);
      market.pool = quote.poolAfter;
      const key = `${user}\u0000${outcome}`;
      held.set(key, (held.get(key) ?? 0) + quote.shares);
    }
    balances.set(pool, market.pool);
    setBook.run(JSON.stringify(market.outstanding), volume, traders.size, pool);
    for (const [key, shares] of held) {
      const [user = '', outcome = ''] = key.split('\u0000');
      insertPosition.run(id, user, Number(outcome), shares);
      if (!stays && Number(outcome) === winner) move(closedAt, pool, userAccount(CONSOLE_REALM, user), shares, 'payout', id);
    }
    const left = balances.get(pool) ?? 0;
    if (!stays && left > 0) move(closedAt, pool, MINT_ACCOUNT, left, 'settle', id);
  };

  const tradeBatch = db.transaction((from: number) => {
    for (let index = from; index < Math.min(shape.markets, from + MARKETS_PER_TRANSACTION); index++) tradeMarket(index);
  });
  for (let from = 0; from < shape.markets; from += MARKETS_PER_TRANSACTION) tradeBatch(from);

  db.transaction(() => {
    for (const [account, balance] of balances) setBalance.run(balance, offMarket.get(account) ?? 0, account);
  })();
  // The scores the settlements would have stored, one market at a time.
  new ScoreStore(db, new ScoringStore(new SqliteStore(db))).rebuild();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
