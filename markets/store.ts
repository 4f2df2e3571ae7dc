import type { Account, AccountKind, LedgerEntry, TradeEntry } from './ledger.ts';
import type { Market, MarketStatus, Resolution } from './market.ts';
import type { Millis } from './money.ts';
import type { RealmId } from './realms/realm.ts';

export interface Position {
  marketId: string;
  userId: string;
  outcome: number;
  shares: Millis;
}

export interface MarketLink {
  url: string;
  kind: string;
  addedBy: string;
  addedAt: number;
}

/** What the job that posts missing cards needs of a market before it decides to post one. */
export interface CardlessMarket {
  id: string;
  realm: RealmId;
  /** Where it was opened (or its server's market channel then); null for a market opened outside any channel. */
  channelId: string | null;
}

export interface MarketStats {
  /** Total millis that changed hands in buys and sells. */
  volume: Millis;
  traders: number;
}

export interface MarketFilter {
  realm: RealmId;
  status?: MarketStatus;
  limit?: number;
}

export interface ProfitRow {
  userId: string;
  displayName: string | null;
  /** Everything received from markets (sells, payouts, refunds) minus everything paid into them. */
  profit: Millis;
  balance: Millis;
}

export type NewMarket = Omit<Market, 'pool'>;

export interface NewAccount {
  id: string;
  kind: AccountKind;
  /** Null only for the mint. */
  realm: RealmId | null;
  /** The member an account of kind `user` belongs to. */
  userId: string | null;
  displayName: string | null;
  createdAt: number;
}

/** What closing, resolving and reopening change of a market; only trades change its book. */
export interface MarketState {
  status: MarketStatus;
  /** The market's outcomes, for which a resolution's probabilities are stored. */
  outcomes: readonly string[];
  closedAt: number | null;
  resolution: Resolution | null;
}

/** A request already applied: its result, and whose question it answered (null in rows kept before owners were). */
export interface RememberedRequest {
  result: string;
  userId: string | null;
  fingerprint: string | null;
}

/**
 * What the use cases need from storage and nothing more. One implementation lives in db/; everything
 * a use case does between `atomically` and its return commits together or not at all.
 */
export interface Store {
  atomically<T>(work: () => T): T;
  /**
   * `atomically` for the outbox's own bookkeeping (which lines are being posted, which were): committed like any
   * other, but not synced to disk on its own; the next ordinary commit syncs it along with itself. A crash of the
   * process loses none of it; a power cut may lose the last few marks, so at worst a thread line is posted again.
   * It keeps those marks from tripling the disk syncs of a busy server, where every trade queues a thread line.
   */
  bookkeeping<T>(work: () => T): T;

  recallRequest(requestId: string): RememberedRequest | undefined;
  rememberRequest(requestId: string, request: RememberedRequest, at: number): void;
  /** Deletes the requests remembered before `before` and says how many. */
  forgetRequestsBefore(before: number): number;

  findAccount(id: string): Account | undefined;
  createAccount(account: NewAccount): void;
  updateAccountProfile(id: string, changes: { displayName?: string; allowanceDay?: string }): void;

  /** Appends one entry that moves no shares (any but a trade's) and applies it to both balances. */
  append(entry: LedgerEntry): number;
  /**
   * Appends a trade's entry and applies all of it: both balances, the holder's position, and the market's outstanding
   * shares (`outstandingAfter`), volume and count of traders. Returns the holder's shares of the outcome after it.
   */
  appendTrade(entry: TradeEntry, outstandingAfter: readonly Millis[]): Millis;

  /** Whether a realm already has a market of this slug. */
  slugTaken(realm: RealmId, slug: string): boolean;
  /** Whether any realm's market has this storage key. */
  marketKeyTaken(key: string): boolean;
  /** A market by storage key, whatever its realm: for jobs and records that already hold the key. */
  findMarket(key: string): Market | undefined;
  /** The market a member of the realm names by slug; other realms' markets are never found. */
  findMarketBySlug(realm: RealmId, slug: string): Market | undefined;
  insertMarket(market: NewMarket): void;
  /** Records a market's card; false, recording nothing, when it has one already (only the first card counts). */
  setMarketMessage(id: string, channelId: string, messageId: string): boolean;
  saveMarketState(id: string, state: MarketState): void;
  /** Live markets first (open, then closed), then settled ones; each by close time, then slug. */
  listMarkets(filter: MarketFilter): Market[];
  /**
   * What a member is typing, for autocomplete: live markets whose slug or question contains it, and (unless only
   * open ones are wanted) markets of any status whose slug starts with it. Settled markets are not searched by
   * question, so the read stays bounded however many markets the realm has settled.
   */
  searchMarkets(realm: RealmId, text: string, onlyOpen: boolean, limit: number): Market[];
  /** Open markets past their close time: in `realm` only where one is given, else in every realm. */
  marketsDueToClose(now: number, realm?: RealmId): Market[];
  /**
   * Markets still trading at `now`, opened at or before `openedBefore`, whose card was never posted, but for a crux's
   * conditionals (the crux's card shows those); oldest first. Read
   * through the index of open markets, so the cost follows how many are open, not the history.
   */
  marketsWithoutCard(openedBefore: number, now: number): CardlessMarket[];
  marketStats(id: string): MarketStats;
  addLink(marketId: string, link: MarketLink): void;
  links(marketId: string): MarketLink[];
  /** The market's prices after each trade in order, or, past `points` trades, `points` of them evenly spread from the first to the last. */
  priceHistory(marketId: string, points: number): { at: number; prices: number[] }[];
  /** The market's last price point at or before `since` and every one after it: what moved it lately, however old it is. */
  priceHistorySince(marketId: string, since: number): { at: number; prices: number[] }[];

  positions(marketId: string): Position[];
  /** Milli-shares one user holds of one outcome (0 when none). */
  position(marketId: string, userId: string, outcome: number): Millis;
  /** Whether one user holds shares of any outcome of a market. */
  holds(marketId: string, userId: string): boolean;
  /** A member's positions in one realm's live (open or closed) markets. */
  livePositionsOf(realm: RealmId, userId: string): Position[];
  /** Per trader of a market: what they paid in buys minus what they got from sells. */
  netPaid(marketId: string): { userId: string; paid: Millis }[];
  /** Per trader of a market, what its settlements paid them net: payouts and refunds minus clawbacks. */
  settlementReceived(marketId: string): { userId: string; amount: Millis }[];
  /** What a market's settlements paid one account net; on a market trading again, what its trader still owes back. */
  settlementReceivedBy(marketId: string, accountId: string): Millis;
  /** Members ranked by profit from one realm's markets (every realm's, summed per member, for null). */
  profits(realm: RealmId | null, limit: number): ProfitRow[];

  /** Stores the scores of a market that has just settled or been corrected, in the same transaction. */
  rescoreMarket(marketId: string): void;
}
