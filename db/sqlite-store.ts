import Database from 'better-sqlite3';
import { CruxError } from '../markets/errors.ts';
import type { Account, LedgerEntry } from '../markets/ledger.ts';
import type { Market } from '../markets/market.ts';
import type { RealmId } from '../markets/realms/realm.ts';
import type { Millis } from '../markets/money.ts';
import type {
  MarketFilter,
  MarketLink,
  MarketState,
  MarketStats,
  NewAccount,
  NewMarket,
  Position,
  ProfitRow,
  RememberedRequest,
  Store,
} from '../markets/store.ts';
import { DatabaseFiles } from './file-guard.ts';
import type { Db } from './open.ts';
import { accountRow, marketRow, parseRow, percentsToStore } from './rows.ts';
import { ScoreStore } from './score-store.ts';
import { ScoringStore } from './scoring-store.ts';

interface ProfitQueryRow {
  user_id: string;
  display_name: string | null;
  balance: number;
  profit: number;
}

const MARKET_COLUMNS = `m.*, a.balance AS pool`;
const MARKET_FROM = `markets m JOIN accounts a ON a.id = 'market:' || m.id`;

/**
 * SQLite errors that are the server's situation, not a bug, in words a member can read. A failed write rolls its
 * transaction back, so each can promise that nothing was changed.
 */
function storageRefusal(error: unknown): CruxError | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  // A database opened read-only (npm start -- --read-only) refuses every write.
  if (error.code === 'SQLITE_READONLY') {
    return new CruxError('read_only', 'Crux is running read-only for now: it can show markets, prices and portfolios but not change them.');
  }
  if (error.code === 'SQLITE_FULL') {
    return new CruxError('storage_full', "Crux could not save because the server's storage is full; nothing was changed.");
  }
  return undefined;
}

/** The Store the engine runs on: prepared statements over one better-sqlite3 connection. */
export class SqliteStore implements Store {
  private readonly statements;
  /** Made once: better-sqlite3 builds a transaction function's wrappers on every `db.transaction` call. */
  private readonly transaction;
  /** Made on first use: most processes never settle a market. */
  private scores: ScoreStore | undefined;

  private readonly files: DatabaseFiles | undefined;
  private readonly onFilesLost: (reason: string) => void;
  private filesLostReported = false;

  /** `onFilesLost` hears once, with the reason, that the database files changed under the process and writing stopped. */
  constructor(readonly db: Db, options: { onFilesLost?: (reason: string) => void } = {}) {
    this.files = DatabaseFiles.of(db);
    this.onFilesLost = options.onFilesLost ?? (() => undefined);
    this.transaction = db.transaction((work: () => unknown) => work());
    this.statements = {
      recallRequest: db.prepare<[string], { result: string; user_id: string | null; fingerprint: string | null }>(
        'SELECT result, user_id, fingerprint FROM requests WHERE id = ?',
      ),
      rememberRequest: db.prepare('INSERT INTO requests (id, result, at, user_id, fingerprint) VALUES (?, ?, ?, ?, ?)'),
      // No index on `at`: this runs once a day over a day's rows, while an index would cost every trade's commit a page.
      forgetRequests: db.prepare('DELETE FROM requests WHERE at < ?'),
      findAccount: db.prepare('SELECT * FROM accounts WHERE id = ?'),
      createAccount: db.prepare(
        `INSERT INTO accounts (id, kind, realm, user_id, display_name, balance, created_at)
         VALUES (@id, @kind, @realm, @userId, @displayName, 0, @createdAt)`,
      ),
      setDisplayName: db.prepare('UPDATE accounts SET display_name = ? WHERE id = ?'),
      setAllowanceDay: db.prepare('UPDATE accounts SET allowance_day = ? WHERE id = ?'),
      // Every trade runs this: its parameters are positional, since binding eleven by name costs more than an update.
      appendLedger: db.prepare(
        `INSERT INTO ledger (at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      debit: db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = ?'),
      credit: db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?'),
      addShares: db.prepare(
        `INSERT INTO positions (market_id, user_id, outcome, shares) VALUES (?, ?, ?, ?)
         ON CONFLICT (market_id, user_id, outcome) DO UPDATE SET shares = shares + excluded.shares`,
      ),
      // SQLite checks an upsert's candidate row before resolving the conflict, so removals must be updates.
      removeShares: db.prepare('UPDATE positions SET shares = shares - ? WHERE market_id = ? AND user_id = ? AND outcome = ?'),
      keyTaken: db.prepare<[string], { found: number }>('SELECT 1 AS found FROM markets WHERE id = ?'),
      slugTaken: db.prepare<[string, string], { found: number }>('SELECT 1 AS found FROM markets WHERE realm = ? AND slug = ?'),
      findMarket: db.prepare(`SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.id = ?`),
      findMarketBySlug: db.prepare(`SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.realm = ? AND m.slug = ?`),
      insertMarket: db.prepare(
        `INSERT INTO markets (id, realm, slug, guild_id, channel_id, message_id, question, criteria, outcomes, liquidity, opening_shares,
           outstanding, subsidy, status, created_by, created_at, closes_at, closed_at, tags)
         VALUES (@id, @realm, @slug, @guildId, @channelId, @messageId, @question, @criteria, @outcomes, @liquidity, @openingShares,
           @outstanding, @subsidy, @status, @createdBy, @createdAt, @closesAt, @closedAt, @tags)`,
      ),
      saveMarketState: db.prepare(
        `UPDATE markets SET status = @status, outstanding = @outstanding, closed_at = @closedAt,
           resolved_outcome = @resolvedOutcome, resolved_probabilities = @resolvedProbabilities, resolved_by = @resolvedBy, resolution_evidence = @evidence, resolved_at = @resolvedAt
         WHERE id = @id`,
      ),
      setOutstanding: db.prepare('UPDATE markets SET outstanding = ? WHERE id = ?'),
      setMessage: db.prepare('UPDATE markets SET channel_id = ?, message_id = ? WHERE id = ?'),
      dueToClose: db.prepare(`SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.status = 'open' AND m.closes_at <= ? ORDER BY m.closes_at`),
      marketStats: db.prepare<[string], { volume: number; traders: number }>(
        `SELECT COALESCE(SUM(amount), 0) AS volume, COUNT(DISTINCT holder) AS traders
         FROM ledger WHERE market_id = ? AND reason IN ('buy', 'sell')`,
      ),
      addLink: db.prepare('INSERT INTO market_links (market_id, url, kind, added_by, added_at) VALUES (?, ?, ?, ?, ?)'),
      links: db.prepare<[string], { url: string; kind: string; added_by: string; added_at: number }>(
        'SELECT url, kind, added_by, added_at FROM market_links WHERE market_id = ? ORDER BY id',
      ),
      priceHistory: db.prepare<[string], { at: number; prices_after: string }>(
        'SELECT at, prices_after FROM ledger WHERE market_id = ? AND prices_after IS NOT NULL ORDER BY id',
      ),
      positions: db.prepare<[string], { market_id: string; user_id: string; outcome: number; shares: number }>(
        'SELECT market_id, user_id, outcome, shares FROM positions WHERE market_id = ? AND shares > 0 ORDER BY user_id, outcome',
      ),
      position: db.prepare<[string, string, number], { shares: number }>(
        'SELECT shares FROM positions WHERE market_id = ? AND user_id = ? AND outcome = ?',
      ),
      positionsOf: db.prepare<[string, string], { market_id: string; user_id: string; outcome: number; shares: number }>(
        `SELECT p.market_id, p.user_id, p.outcome, p.shares FROM positions p JOIN markets m ON m.id = p.market_id
         WHERE p.user_id = ? AND m.realm = ? AND p.shares > 0 ORDER BY p.market_id, p.outcome`,
      ),
      netPaid: db.prepare<[string], { holder: string; paid: number }>(
        `SELECT holder, SUM(CASE reason WHEN 'buy' THEN amount ELSE -amount END) AS paid
         FROM ledger WHERE market_id = ? AND reason IN ('buy', 'sell') GROUP BY holder ORDER BY holder`,
      ),
      // A member's profit in a realm is the net of every ledger row between their account there and the realm's
      // markets. Every credit a realm account holds arrived from a market or from a row with no market (grants,
      // allowances, the migration into realms), so its market flows are its balance minus those few rows, read through
      // their partial indexes (migration 006): a few reads per member instead of summing the realm's every trade. What
      // a member made in the realm's markets before realms, through their old account, was counted once by the
      // migration (carried_profit). Members appear once they have traded in the realm (every buy leaves a position row).
      profits: db.prepare<{ realm: string | null; limit: number }, ProfitQueryRow>(
        `SELECT a.user_id, MAX(a.display_name) AS display_name, SUM(a.balance) AS balance,
           SUM(a.balance + a.carried_profit
             - COALESCE((SELECT SUM(amount) FROM ledger WHERE market_id IS NULL AND to_account = a.id), 0)
             + COALESCE((SELECT SUM(amount) FROM ledger WHERE market_id IS NULL AND from_account = a.id), 0)) AS profit
         FROM accounts a
         WHERE a.kind = 'user' AND a.realm IS NOT NULL AND (@realm IS NULL OR a.realm = @realm) AND EXISTS (
           SELECT 1 FROM positions p JOIN markets m ON m.id = p.market_id WHERE p.user_id = a.user_id AND m.realm = a.realm
         )
         GROUP BY a.user_id
         ORDER BY profit DESC, a.user_id
         LIMIT @limit`,
      ),
    };
  }

  atomically<T>(work: () => T): T {
    const lost = this.files?.problem();
    if (lost !== undefined) {
      if (!this.filesLostReported) this.onFilesLost(lost);
      this.filesLostReported = true;
      throw new CruxError(
        'storage_lost',
        "Crux has stopped saving changes: its database file was removed or replaced on the server while it ran. Nothing was changed; the operators have been told and must restart it.",
      );
    }
    try {
      return this.transaction.immediate(work) as T;
    } catch (error) {
      throw storageRefusal(error) ?? error;
    }
  }

  recallRequest(requestId: string): RememberedRequest | undefined {
    const row = this.statements.recallRequest.get(requestId);
    return row && { result: row.result, userId: row.user_id, fingerprint: row.fingerprint };
  }

  rememberRequest(requestId: string, request: RememberedRequest, at: number): void {
    this.statements.rememberRequest.run(requestId, request.result, at, request.userId, request.fingerprint);
  }

  forgetRequestsBefore(before: number): number {
    return this.statements.forgetRequests.run(before).changes;
  }

  findAccount(id: string): Account | undefined {
    const row = this.statements.findAccount.get(id);
    return row === undefined ? undefined : parseRow(accountRow, 'accounts', row);
  }

  createAccount(account: NewAccount): void {
    this.statements.createAccount.run(account);
  }

  updateAccountProfile(id: string, changes: { displayName?: string; allowanceDay?: string }): void {
    if (changes.displayName !== undefined) this.statements.setDisplayName.run(changes.displayName, id);
    if (changes.allowanceDay !== undefined) this.statements.setAllowanceDay.run(changes.allowanceDay, id);
  }

  append(entry: LedgerEntry): number {
    const { lastInsertRowid } = this.statements.appendLedger.run(
      entry.at,
      entry.from,
      entry.to,
      entry.amount,
      entry.reason,
      entry.marketId,
      entry.holder,
      entry.outcome,
      entry.shares,
      entry.pricesAfter === null ? null : JSON.stringify(entry.pricesAfter),
      entry.requestId,
    );
    this.statements.debit.run(entry.amount, entry.from);
    this.statements.credit.run(entry.amount, entry.to);
    if (entry.holder !== null && entry.outcome !== null && entry.shares !== null) {
      if (entry.shares >= 0) {
        this.statements.addShares.run(entry.marketId, entry.holder, entry.outcome, entry.shares);
      } else if (this.statements.removeShares.run(-entry.shares, entry.marketId, entry.holder, entry.outcome).changes !== 1) {
        throw new Error(`no position ${entry.marketId}/${entry.holder}/#${entry.outcome} to remove shares from`);
      }
    }
    return Number(lastInsertRowid);
  }

  slugTaken(realm: RealmId, slug: string): boolean {
    return this.statements.slugTaken.get(realm, slug) !== undefined;
  }

  marketKeyTaken(key: string): boolean {
    return this.statements.keyTaken.get(key) !== undefined;
  }

  findMarket(key: string): Market | undefined {
    const row = this.statements.findMarket.get(key);
    return row === undefined ? undefined : parseRow(marketRow, 'markets', row);
  }

  findMarketBySlug(realm: RealmId, slug: string): Market | undefined {
    const row = this.statements.findMarketBySlug.get(realm, slug);
    return row === undefined ? undefined : parseRow(marketRow, 'markets', row);
  }

  insertMarket(market: NewMarket): void {
    this.createAccount({ id: `market:${market.id}`, kind: 'market', realm: market.realm, userId: null, displayName: market.slug, createdAt: market.createdAt });
    this.statements.insertMarket.run({
      ...market,
      outcomes: JSON.stringify(market.outcomes),
      openingShares: JSON.stringify(market.openingShares),
      outstanding: JSON.stringify(market.outstanding),
      tags: JSON.stringify(market.tags),
    });
  }

  saveMarketState(id: string, state: MarketState): void {
    this.statements.saveMarketState.run({
      id,
      status: state.status,
      outstanding: JSON.stringify(state.outstanding),
      closedAt: state.closedAt,
      resolvedOutcome: state.resolution?.outcome ?? null,
      resolvedProbabilities: percentsToStore(state.resolution, state.outstanding.length),
      resolvedBy: state.resolution?.decidedBy ?? null,
      evidence: state.resolution?.evidence ?? null,
      resolvedAt: state.resolution?.at ?? null,
    });
  }

  setOutstanding(id: string, outstanding: Millis[]): void {
    this.statements.setOutstanding.run(JSON.stringify(outstanding), id);
  }

  setMarketMessage(id: string, channelId: string, messageId: string): void {
    this.statements.setMessage.run(channelId, messageId, id);
  }

  listMarkets(filter: MarketFilter): Market[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    where.push('m.realm = ?');
    params.push(filter.realm);
    if (filter.status !== undefined) {
      where.push('m.status = ?');
      params.push(filter.status);
    }
    if (filter.search !== undefined && filter.search.trim() !== '') {
      where.push(`(m.slug LIKE ? ESCAPE '\\' OR m.question LIKE ? ESCAPE '\\')`);
      const pattern = `%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(pattern, pattern);
    }
    const sql = `SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM}
      WHERE ${where.join(' AND ')}
      ORDER BY CASE m.status WHEN 'open' THEN 0 WHEN 'closed' THEN 1 ELSE 2 END, m.closes_at, m.slug
      LIMIT ?`;
    params.push(filter.limit ?? 25);
    return this.db
      .prepare(sql)
      .all(...params)
      .map((row) => parseRow(marketRow, 'markets', row));
  }

  marketsDueToClose(now: number): Market[] {
    return this.statements.dueToClose.all(now).map((row) => parseRow(marketRow, 'markets', row));
  }

  marketStats(id: string): MarketStats {
    const row = this.statements.marketStats.get(id);
    return { volume: row?.volume ?? 0, traders: row?.traders ?? 0 };
  }

  addLink(marketId: string, link: MarketLink): void {
    this.statements.addLink.run(marketId, link.url, link.kind, link.addedBy, link.addedAt);
  }

  links(marketId: string): MarketLink[] {
    return this.statements.links
      .all(marketId)
      .map((row) => ({ url: row.url, kind: row.kind, addedBy: row.added_by, addedAt: row.added_at }));
  }

  priceHistory(marketId: string): { at: number; prices: number[] }[] {
    return this.statements.priceHistory.all(marketId).map((row) => ({ at: row.at, prices: JSON.parse(row.prices_after) as number[] }));
  }

  positions(marketId: string): Position[] {
    return this.statements.positions.all(marketId).map(toPosition);
  }

  position(marketId: string, userId: string, outcome: number): number {
    return this.statements.position.get(marketId, userId, outcome)?.shares ?? 0;
  }

  positionsOf(realm: RealmId, userId: string): Position[] {
    return this.statements.positionsOf.all(userId, realm).map(toPosition);
  }

  netPaid(marketId: string): { userId: string; paid: number }[] {
    return this.statements.netPaid.all(marketId).map((row) => ({ userId: row.holder, paid: row.paid }));
  }

  rescoreMarket(marketId: string): void {
    this.scores ??= new ScoreStore(this.db, new ScoringStore(this));
    this.scores.rescoreMarket(marketId);
  }

  profits(realm: RealmId | null, limit: number): ProfitRow[] {
    // SQLite reads a negative LIMIT as "no limit".
    const bounded = Number.isFinite(limit) ? limit : -1;
    return this.statements.profits.all({ realm, limit: bounded }).map((row) => ({
      userId: row.user_id,
      displayName: row.display_name,
      profit: row.profit,
      balance: row.balance,
    }));
  }
}

function toPosition(row: { market_id: string; user_id: string; outcome: number; shares: number }): Position {
  return { marketId: row.market_id, userId: row.user_id, outcome: row.outcome, shares: row.shares };
}
