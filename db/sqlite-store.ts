import Database from 'better-sqlite3';
import { CruxError } from '../markets/errors.ts';
import { type Account, type LedgerEntry, marketAccount, type TradeEntry } from '../markets/ledger.ts';
import type { Market, MarketStatus } from '../markets/market.ts';
import type { RealmId } from '../markets/realms/realm.ts';
import type { Millis } from '../markets/money.ts';
import type {
  CardlessMarket,
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
import { GroupCommit } from './group-commit.ts';
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

const MARKET_COLUMNS = `m.*, a.balance AS pool, a.outstanding`;
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
  // Another process held the write lock for the whole busy timeout (a long migration or restore, say).
  if (isBusy(error)) {
    return new CruxError('storage_busy', 'Crux is busy saving other changes and could not save yours in time; nothing was changed. Try again in a moment.');
  }
  return undefined;
}

/** `PRAGMA synchronous` reads back as a number: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
const SYNCHRONOUS_FULL = 2;

/** Between attempts at the write lock another process holds: its transactions hold it for a fraction of a millisecond. */
const WRITE_LOCK_POLL_MS = 0.1;
/** What `Atomics.wait` sleeps on: nothing ever wakes it, so each wait lasts its timeout. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
}

/** The Store the engine runs on: prepared statements over one better-sqlite3 connection. */
interface RequestRow {
  result: string;
  user_id: string | null;
  fingerprint: string | null;
}

const LARGEST_ROWID = 9_223_372_036_854_775_807n;

/**
 * A request id that is a snowflake (a Discord interaction's id), as the integer that keys it among
 * `interaction_requests` (migration 017); undefined for any other id, kept in `requests` by its text.
 */
function snowflakeKey(requestId: string): bigint | undefined {
  if (!/^[1-9]\d{0,18}$/.test(requestId)) return undefined;
  const key = BigInt(requestId);
  return key <= LARGEST_ROWID ? key : undefined;
}

export class SqliteStore implements Store {
  private readonly statements;
  /** Made once: better-sqlite3 builds a transaction function's wrappers on every `db.transaction` call. */
  private readonly transaction;
  /** Made on first use: most processes never settle a market. */
  private scores: ScoreStore | undefined;

  private readonly files: DatabaseFiles | undefined;
  /** Set when the connection commits without syncing (group commit): `durable()` syncs for it. */
  private readonly groupCommit: GroupCommit | undefined;
  /** Whether this connection syncs the disk on every commit (`synchronous` FULL or above), read once: only `bookkeeping` changes it, and puts it back. */
  private readonly syncsEveryCommit: boolean;
  private readonly onFilesLost: (reason: string) => void;
  private filesLostReported = false;
  /** The connection's busy timeout (ms), which every wait for the write lock keeps to; 0 for a database in memory, which no other process shares. */
  private readonly writeLockWaitMs: number;

  /** `onFilesLost` hears once, with the reason, that the database files changed under the process and writing stopped. */
  constructor(readonly db: Db, options: { onFilesLost?: (reason: string) => void } = {}) {
    this.files = DatabaseFiles.of(db);
    this.groupCommit = GroupCommit.of(db);
    this.writeLockWaitMs = db.memory ? 0 : Number(db.pragma('busy_timeout', { simple: true }));
    this.syncsEveryCommit = !db.memory && Number(db.pragma('synchronous', { simple: true })) >= SYNCHRONOUS_FULL;
    this.onFilesLost = options.onFilesLost ?? (() => undefined);
    this.transaction = db.transaction((work: () => unknown) => work());
    this.statements = {
      recallRequest: db.prepare<[string], RequestRow>('SELECT result, user_id, fingerprint FROM requests WHERE id = ?'),
      rememberRequest: db.prepare('INSERT INTO requests (id, result, at, user_id, fingerprint) VALUES (?, ?, ?, ?, ?)'),
      recallInteraction: db.prepare<[bigint], RequestRow>('SELECT result, user_id, fingerprint FROM interaction_requests WHERE id = ?'),
      rememberInteraction: db.prepare('INSERT INTO interaction_requests (id, result, at, user_id, fingerprint) VALUES (?, ?, ?, ?, ?)'),
      // No index on `at`: these run once a day over a day's rows, while an index would cost every trade's commit a page.
      forgetRequests: db.prepare('DELETE FROM requests WHERE at < ?'),
      forgetInteractions: db.prepare('DELETE FROM interaction_requests WHERE at < ?'),
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
      offMarket: db.prepare('UPDATE accounts SET off_market_net = off_market_net + ? WHERE id = ?'),
      // The market's side of a trade, all on its account (migration 019): one row, where the credits and the book
      // were two. Run before the trader's position is written: a trader is new to the market while they hold none.
      tradeBook: db.prepare(
        `UPDATE accounts SET balance = balance + ?, outstanding = ?, volume = volume + ?,
           traders = traders + NOT EXISTS (SELECT 1 FROM positions WHERE market_id = ? AND user_id = ?)
         WHERE id = ?`,
      ),
      addShares: db.prepare<[string, string, number, number], { shares: number }>(
        `INSERT INTO positions (market_id, user_id, outcome, shares) VALUES (?, ?, ?, ?)
         ON CONFLICT (market_id, user_id, outcome) DO UPDATE SET shares = shares + excluded.shares
         RETURNING shares`,
      ),
      // SQLite checks an upsert's candidate row before resolving the conflict, so removals must be updates.
      removeShares: db.prepare<[number, string, string, number], { shares: number }>(
        'UPDATE positions SET shares = shares - ? WHERE market_id = ? AND user_id = ? AND outcome = ? RETURNING shares',
      ),
      keyTaken: db.prepare<[string], { found: number }>('SELECT 1 AS found FROM markets WHERE id = ?'),
      slugTaken: db.prepare<[string, string], { found: number }>('SELECT 1 AS found FROM markets WHERE realm = ? AND slug = ?'),
      findMarket: db.prepare(`SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.id = ?`),
      findMarketBySlug: db.prepare(`SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.realm = ? AND m.slug = ?`),
      insertMarket: db.prepare(
        `INSERT INTO markets (id, realm, slug, guild_id, channel_id, message_id, question, criteria, outcomes, liquidity, opening_shares,
           subsidy, status, created_by, created_at, closes_at, closed_at, tags)
         VALUES (@id, @realm, @slug, @guildId, @channelId, @messageId, @question, @criteria, @outcomes, @liquidity, @openingShares,
           @subsidy, @status, @createdBy, @createdAt, @closesAt, @closedAt, @tags)`,
      ),
      openBook: db.prepare('UPDATE accounts SET outstanding = ?, volume = 0, traders = 0 WHERE id = ?'),
      saveMarketState: db.prepare(
        `UPDATE markets SET status = @status, closed_at = @closedAt,
           resolved_outcome = @resolvedOutcome, resolved_probabilities = @resolvedProbabilities, resolved_by = @resolvedBy, resolution_evidence = @evidence, resolved_at = @resolvedAt
         WHERE id = @id`,
      ),
      setMessage: db.prepare('UPDATE markets SET channel_id = ?, message_id = ? WHERE id = ? AND message_id IS NULL'),
      // The realm only filters the due markets that markets_by_status finds: it is given by the console alone.
      dueToClose: db.prepare<{ now: number; realm: string | null }>(
        `SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM}
         WHERE m.status = 'open' AND m.closes_at <= @now AND (@realm IS NULL OR m.realm = @realm) ORDER BY m.closes_at`,
      ),
      // Three columns, not the whole market: the job reads these every minute, and most of them it then leaves alone.
      // A crux's conditionals (those with a claim) have no cards of their own: the crux's card shows them.
      withoutCard: db.prepare<{ openedBefore: number; now: number }, { id: string; realm: string; channel_id: string | null }>(
        `SELECT id, realm, channel_id FROM markets m
         WHERE status = 'open' AND closes_at > @now AND message_id IS NULL AND created_at <= @openedBefore
           AND NOT EXISTS (SELECT 1 FROM market_conditions c WHERE c.market_id = m.id AND c.claim_id IS NOT NULL)
         ORDER BY created_at, id`,
      ),
      marketStats: db.prepare<[string], { volume: number; traders: number }>('SELECT volume, traders FROM accounts WHERE id = ?'),
      addLink: db.prepare('INSERT INTO market_links (market_id, url, kind, added_by, added_at) VALUES (?, ?, ?, ?, ?)'),
      links: db.prepare<[string], { url: string; kind: string; added_by: string; added_at: number }>(
        'SELECT url, kind, added_by, added_at FROM market_links WHERE market_id = ? ORDER BY id',
      ),
      // Counted from the index alone (no table row read), and only up to the limit asked about.
      marketRowsUpTo: db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM (SELECT 1 FROM ledger WHERE market_id = ? LIMIT ?)'),
      priceRows: db.prepare<[string], PriceRow>('SELECT at, prices_after FROM ledger WHERE market_id = ? AND prices_after IS NOT NULL ORDER BY id'),
      // Walks the market's rows back from the newest only as far as the first one at or before the moment.
      pricesSince: db.prepare<{ market: string; since: number }, PriceRow>(
        `SELECT at, prices_after FROM ledger WHERE market_id = @market AND prices_after IS NOT NULL AND id >= COALESCE(
           (SELECT id FROM ledger WHERE market_id = @market AND prices_after IS NOT NULL AND at <= @since ORDER BY id DESC LIMIT 1), 0)
         ORDER BY id`,
      ),
      // Evenly spaced ledger ids between the market's first and last priced rows, each replaced by the first priced row
      // at or after it: one index seek per point, however long the market has traded.
      sampledPrices: db.prepare<{ market: string; points: number }, PriceRow>(
        `WITH RECURSIVE
           span(lo, hi) AS (
             SELECT (SELECT MIN(id) FROM ledger WHERE market_id = @market),
                    (SELECT id FROM ledger WHERE market_id = @market AND prices_after IS NOT NULL ORDER BY id DESC LIMIT 1)),
           steps(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM steps WHERE k < @points - 1),
           picks(id) AS (
             SELECT DISTINCT (SELECT l.id FROM ledger l WHERE l.market_id = @market AND l.prices_after IS NOT NULL
                                AND l.id >= span.lo + (span.hi - span.lo) * steps.k / (@points - 1) ORDER BY l.id LIMIT 1)
             FROM steps, span)
         SELECT l.at, l.prices_after FROM picks JOIN ledger l ON l.id = picks.id ORDER BY l.id`,
      ),
      positions: db.prepare<[string], { market_id: string; user_id: string; outcome: number; shares: number }>(
        'SELECT market_id, user_id, outcome, shares FROM positions WHERE market_id = ? AND shares > 0 ORDER BY user_id, outcome',
      ),
      holds: db.prepare<[string, string], { found: number }>('SELECT 1 AS found FROM positions WHERE market_id = ? AND user_id = ? AND shares > 0 LIMIT 1'),
      position: db.prepare<[string, string, number], { shares: number }>(
        'SELECT shares FROM positions WHERE market_id = ? AND user_id = ? AND outcome = ?',
      ),
      // From the realm's live markets to the member's positions in each: positions in settled markets stay on record
      // forever, so starting from the member's would read their whole history.
      livePositionsOf: db.prepare<[string, string], { market_id: string; user_id: string; outcome: number; shares: number }>(
        `SELECT p.market_id, p.user_id, p.outcome, p.shares FROM markets m CROSS JOIN positions p
         WHERE m.realm = ? AND m.status IN ('open', 'closed') AND p.market_id = m.id AND p.user_id = ? AND p.shares > 0
         ORDER BY p.market_id, p.outcome`,
      ),
      marketsByStatus: db.prepare(
        `SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.realm = ? AND m.status = ? ORDER BY m.closes_at, m.slug LIMIT ?`,
      ),
      searchLive: db.prepare(
        `SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM}
         WHERE m.realm = ? AND m.status IN (?, ?) AND (m.slug LIKE ? ESCAPE '\\' OR m.question LIKE ? ESCAPE '\\')
         ORDER BY m.status = 'closed', m.closes_at, m.slug LIMIT ?`,
      ),
      slugsFrom: db.prepare(
        `SELECT ${MARKET_COLUMNS} FROM ${MARKET_FROM} WHERE m.realm = ? AND m.slug >= ? AND m.slug < ? ORDER BY m.slug LIMIT ?`,
      ),
      settlementReceived: db.prepare<[string, string], { holder: string; received: number }>(
        `SELECT holder, SUM(received) AS received FROM (
           -- Settlements pay members' accounts: their account in the market's realm, or before realms their only one.
           SELECT a.user_id AS holder, l.amount AS received FROM ledger l JOIN accounts a ON a.id = l.to_account
             WHERE l.market_id = ? AND l.reason IN ('payout', 'refund')
           UNION ALL
           SELECT a.user_id, -l.amount FROM ledger l JOIN accounts a ON a.id = l.from_account
             WHERE l.market_id = ? AND l.reason = 'clawback')
         GROUP BY holder ORDER BY holder`,
      ),
      // Through the partial indexes of settlement rows (migration 016): the sell path asks this of every sale.
      receivedBy: db.prepare<{ market: string; account: string }, { received: number }>(
        `SELECT (SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE market_id = @market AND to_account = @account AND reason IN ('payout', 'refund'))
              - (SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE market_id = @market AND from_account = @account AND reason = 'clawback') AS received`,
      ),
      netPaid: db.prepare<[string], { holder: string; paid: number }>(
        `SELECT holder, SUM(CASE reason WHEN 'buy' THEN amount ELSE -amount END) AS paid
         FROM ledger WHERE market_id = ? AND reason IN ('buy', 'sell') GROUP BY holder ORDER BY holder`,
      ),
      // A member's profit in a realm is the net of every ledger row between their account there and the realm's
      // markets. Every credit a realm account holds arrived from a market or from a row with no market (grants,
      // allowances, the migration into realms), so its market flows are its balance minus the net of those rows, which
      // the account's row keeps (off_market_net): one read per member instead of summing the ledger. What a member made in the realm's markets before realms,
      // through their old account, was counted once by the migration (carried_profit). Members appear once they have
      // traded in the realm (every buy leaves a position row).
      // One statement per case: `(@realm IS NULL OR a.realm = @realm)` would keep SQLite from the realm's index and
      // read every realm's accounts for one server's board.
      profitsInRealm: db.prepare<{ realm: string; limit: number }, ProfitQueryRow>(
        `SELECT a.user_id, MAX(a.display_name) AS display_name, SUM(a.balance) AS balance,
           SUM(a.balance - a.off_market_net + a.carried_profit) AS profit
         FROM accounts a
         WHERE a.kind = 'user' AND a.realm = @realm AND EXISTS (
           SELECT 1 FROM positions p JOIN markets m ON m.id = p.market_id WHERE p.user_id = a.user_id AND m.realm = a.realm
         )
         GROUP BY a.user_id
         ORDER BY profit DESC, a.user_id
         LIMIT @limit`,
      ),
      profitsEverywhere: db.prepare<{ limit: number }, ProfitQueryRow>(
        `SELECT a.user_id, MAX(a.display_name) AS display_name, SUM(a.balance) AS balance,
           SUM(a.balance - a.off_market_net + a.carried_profit) AS profit
         FROM accounts a
         WHERE a.kind = 'user' AND a.realm IS NOT NULL AND EXISTS (
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
    const unsynced = this.groupCommit?.problem();
    if (unsynced) throw unsynced;
    let result: T;
    try {
      result = this.writeLockWaitMs === 0 ? (this.transaction.immediate(work) as T) : this.immediatelyWhenFree(work);
    } catch (error) {
      throw storageRefusal(error) ?? error;
    }
    this.groupCommit?.committed();
    return result;
  }

  /**
   * The transaction, once no other process holds the write lock. SQLite's own busy handler sleeps 1, 2, 5, 10… ms
   * between attempts: against another shard's stream of short transactions it kept missing the lock, for up to
   * 344 ms in the shards benchmark. Polling every 0.1 ms takes it as soon as it is free, within the same timeout.
   */
  private immediatelyWhenFree<T>(work: () => T): T {
    this.db.exec('PRAGMA busy_timeout = 0');
    try {
      const deadline = performance.now() + this.writeLockWaitMs;
      for (;;) {
        let started = false;
        try {
          return this.transaction.immediate(() => {
            started = true;
            return work();
          }) as T;
        } catch (error) {
          // Only a BEGIN that found the lock taken is tried again: work that ran has been rolled back, and says why.
          if (started || !isBusy(error) || performance.now() >= deadline) throw error;
          Atomics.wait(PAUSE, 0, 0, WRITE_LOCK_POLL_MS);
        }
      }
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${this.writeLockWaitMs}`);
    }
  }

  /**
   * Resolves once every change committed so far is on disk: at once where each commit synced itself, after a shared
   * sync under group commit. Anything that tells a member a change was made waits for it first.
   */
  durable(): Promise<void> {
    return this.groupCommit?.durable() ?? Promise.resolve();
  }

  bookkeeping<T>(work: () => T): T {
    // Only a connection that syncs every commit has a sync to spare; `synchronous` cannot change inside a transaction.
    if (!this.syncsEveryCommit) return this.atomically(work);
    // Not a prepared statement: SQLite applies `PRAGMA synchronous = …` when it compiles it, not when it runs.
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      return this.atomically(work);
    } finally {
      this.db.exec('PRAGMA synchronous = FULL');
    }
  }

  recallRequest(requestId: string): RememberedRequest | undefined {
    const key = snowflakeKey(requestId);
    const row = key === undefined ? this.statements.recallRequest.get(requestId) : this.statements.recallInteraction.get(key);
    return row && { result: row.result, userId: row.user_id, fingerprint: row.fingerprint };
  }

  rememberRequest(requestId: string, request: RememberedRequest, at: number): void {
    const key = snowflakeKey(requestId);
    const remember = key === undefined ? this.statements.rememberRequest : this.statements.rememberInteraction;
    remember.run(key ?? requestId, request.result, at, request.userId, request.fingerprint);
  }

  forgetRequestsBefore(before: number): number {
    return this.statements.forgetRequests.run(before).changes + this.statements.forgetInteractions.run(before).changes;
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
    if (entry.holder !== null || entry.shares !== null) throw new Error(`a ${entry.reason} entry that moves shares must be appended as a trade`);
    const id = this.appendRow(entry);
    if (entry.marketId === null) {
      this.statements.offMarket.run(-entry.amount, entry.from);
      this.statements.offMarket.run(entry.amount, entry.to);
    }
    return id;
  }

  appendTrade(entry: TradeEntry, outstandingAfter: readonly Millis[]): Millis {
    const pool = marketAccount(entry.marketId);
    if ((entry.from === pool) === (entry.to === pool)) throw new Error(`a trade on ${entry.marketId} moves credits between a trader and ${pool}, not ${entry.from} and ${entry.to}`);
    this.insertRow(entry);
    // What the market maker takes in: a buy's price, or minus what a sale pays out.
    const [trader, taken] = entry.to === pool ? [entry.from, entry.amount] : [entry.to, -entry.amount];
    this.statements.debit.run(taken, trader);
    this.statements.tradeBook.run(taken, JSON.stringify(outstandingAfter), entry.amount, entry.marketId, entry.holder, pool);
    const position =
      entry.shares >= 0
        ? this.statements.addShares.get(entry.marketId, entry.holder, entry.outcome, entry.shares)
        : this.statements.removeShares.get(-entry.shares, entry.marketId, entry.holder, entry.outcome);
    if (position === undefined) throw new Error(`no position ${entry.marketId}/${entry.holder}/#${entry.outcome} to remove shares from`);
    return position.shares;
  }

  /** The entry's row, and its amount moved from one balance to the other. */
  private appendRow(entry: LedgerEntry): number {
    const id = this.insertRow(entry);
    this.statements.debit.run(entry.amount, entry.from);
    this.statements.credit.run(entry.amount, entry.to);
    return id;
  }

  private insertRow(entry: LedgerEntry): number {
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
    const pool = marketAccount(market.id);
    this.createAccount({ id: pool, kind: 'market', realm: market.realm, userId: null, displayName: market.slug, createdAt: market.createdAt });
    this.statements.openBook.run(JSON.stringify(market.outstanding), pool);
    this.statements.insertMarket.run({
      ...market,
      outcomes: JSON.stringify(market.outcomes),
      openingShares: JSON.stringify(market.openingShares),
      tags: JSON.stringify(market.tags),
    });
  }

  saveMarketState(id: string, state: MarketState): void {
    this.statements.saveMarketState.run({
      id,
      status: state.status,
      closedAt: state.closedAt,
      resolvedOutcome: state.resolution?.outcome ?? null,
      resolvedProbabilities: percentsToStore(state.resolution, state.outcomes.length),
      resolvedBy: state.resolution?.decidedBy ?? null,
      evidence: state.resolution?.evidence ?? null,
      resolvedAt: state.resolution?.at ?? null,
    });
  }

  setMarketMessage(id: string, channelId: string, messageId: string): boolean {
    return this.statements.setMessage.run(channelId, messageId, id).changes > 0;
  }

  listMarkets(filter: MarketFilter): Market[] {
    const limit = filter.limit ?? 25;
    // One index range per status, each already in order and cut at the limit, so the whole listing reads at most
    // four times the limit whatever the realm's history.
    const statuses = filter.status === undefined ? MARKET_STATUSES : [filter.status];
    const found = statuses.flatMap((status) => this.statements.marketsByStatus.all(filter.realm, status, limit));
    return found.map(toMarket).sort(listingOrder).slice(0, limit);
  }

  searchMarkets(realm: RealmId, text: string, onlyOpen: boolean, limit: number): Market[] {
    const typed = text.trim();
    const pattern = `%${typed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const live = this.statements.searchLive.all(realm, 'open', onlyOpen ? 'open' : 'closed', pattern, pattern, limit);
    // Slugs are lowercase, so every slug starting with the typed text sorts between it and it followed by U+FFFF.
    const prefix = typed.toLowerCase();
    const bySlug = onlyOpen ? [] : this.statements.slugsFrom.all(realm, prefix, `${prefix}\uffff`, limit);
    const unique = new Map([...live, ...bySlug].map(toMarket).map((market) => [market.id, market]));
    return [...unique.values()].sort(listingOrder).slice(0, limit);
  }

  marketsDueToClose(now: number, realm?: RealmId): Market[] {
    return this.statements.dueToClose.all({ now, realm: realm ?? null }).map(toMarket);
  }

  marketsWithoutCard(openedBefore: number, now: number): CardlessMarket[] {
    return this.statements.withoutCard.all({ openedBefore, now }).map((row) => ({ id: row.id, realm: row.realm, channelId: row.channel_id }));
  }

  marketStats(id: string): MarketStats {
    const row = this.statements.marketStats.get(marketAccount(id));
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

  priceHistory(marketId: string, points: number): { at: number; prices: number[] }[] {
    const readWhole = (this.statements.marketRowsUpTo.get(marketId, points * ROWS_PER_SEEK + 1)?.n ?? 0) <= points * ROWS_PER_SEEK;
    const rows = readWhole ? evenlySpaced(this.statements.priceRows.all(marketId), points) : this.statements.sampledPrices.all({ market: marketId, points });
    return rows.map((row) => ({ at: row.at, prices: JSON.parse(row.prices_after) as number[] }));
  }

  priceHistorySince(marketId: string, since: number): { at: number; prices: number[] }[] {
    return this.statements.pricesSince.all({ market: marketId, since }).map((row) => ({ at: row.at, prices: JSON.parse(row.prices_after) as number[] }));
  }

  positions(marketId: string): Position[] {
    return this.statements.positions.all(marketId).map(toPosition);
  }

  holds(marketId: string, userId: string): boolean {
    return this.statements.holds.get(marketId, userId) !== undefined;
  }

  position(marketId: string, userId: string, outcome: number): number {
    return this.statements.position.get(marketId, userId, outcome)?.shares ?? 0;
  }

  livePositionsOf(realm: RealmId, userId: string): Position[] {
    return this.statements.livePositionsOf.all(realm, userId).map(toPosition);
  }

  settlementReceived(marketId: string): { userId: string; amount: Millis }[] {
    return this.statements.settlementReceived.all(marketId, marketId).map((row) => ({ userId: row.holder, amount: row.received }));
  }

  settlementReceivedBy(marketId: string, accountId: string): Millis {
    return this.statements.receivedBy.get({ market: marketId, account: accountId })?.received ?? 0;
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
    const rows = realm === null ? this.statements.profitsEverywhere.all({ limit: bounded }) : this.statements.profitsInRealm.all({ realm, limit: bounded });
    return rows.map((row) => ({
      userId: row.user_id,
      displayName: row.display_name,
      profit: row.profit,
      balance: row.balance,
    }));
  }
}

interface PriceRow {
  at: number;
  prices_after: string;
}

/**
 * A sampled price point costs about this many rows of a plain range read (three b-tree descents against one step along
 * the index; measured 1.1 ms for 300 points against 0.8 ms for all of a market's 500 rows), so a market with up to
 * this many rows per point is read whole and thinned.
 */
const ROWS_PER_SEEK = 3;

/** At most `count` of `rows`, evenly spaced, the first and the last always among them. */
function evenlySpaced<T>(rows: readonly T[], count: number): T[] {
  if (rows.length <= count) return [...rows];
  const last = rows.length - 1;
  return Array.from({ length: count }, (_, k) => rows[Math.round((k * last) / (count - 1))] as T);
}

const MARKET_STATUSES: readonly MarketStatus[] = ['open', 'closed', 'resolved', 'cancelled'];
const STATUS_RANK: Record<MarketStatus, number> = { open: 0, closed: 1, resolved: 2, cancelled: 2 };

/** Live markets first (open, then closed), settled ones after; each by close time, then slug. */
function listingOrder(a: Market, b: Market): number {
  return STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.closesAt - b.closesAt || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

function toMarket(row: unknown): Market {
  return parseRow(marketRow, 'markets', row);
}

function toPosition(row: { market_id: string; user_id: string; outcome: number; shares: number }): Position {
  return { marketId: row.market_id, userId: row.user_id, outcome: row.outcome, shares: row.shares };
}
