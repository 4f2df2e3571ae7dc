import { type EvidenceItem, type EvidenceTally, tallyEvidence } from './evidence/evidence.ts';
import type { ConditionStore } from './cruxes/store.ts';
import { userAccount } from './ledger.ts';
import type { ResolutionStore } from './resolution/store.ts';
import type { OutsideReading } from './sources/odds.ts';
import { currentPrices, type Market } from './market.ts';
import type { Millis } from './money.ts';
import type { RealmId } from './realms/realm.ts';
import { unknownMarket } from './service.ts';
import type { Dispute, SettlementRecord } from './settlement/types.ts';
import type { CardlessMarket, MarketFilter, MarketLink, MarketStats, Position, ProfitRow, Store } from './store.ts';

/** A bound on the scan behind `openMarketsCreatedBy`, far above any live community's open markets. */
const OPEN_MARKETS_SCANNED = 100_000;

/** A chart is a few hundred pixels wide: more points than this draw the same line. */
const PRICE_HISTORY_POINTS = 300;

/** What a market's card says of its conversation. */
export interface MarketConversation {
  evidence: EvidenceTally;
  /** How many recorded edits it has had. */
  edits: number;
  /** Its thread, once opened. */
  threadId: string | null;
}

/** Where the conversation's records are read from; views without one show none. */
export interface ConversationReader {
  evidence(marketId: string): EvidenceItem[];
  edits(marketId: string): number;
  thread(marketId: string): string | null;
}

export interface MarketView {
  market: Market;
  prices: number[];
  stats: MarketStats;
  links: MarketLink[];
  conversation?: MarketConversation;
  /** The market this one is conditional on and the outcome it assumes; null for an ordinary market. */
  condition: { slug: string; outcome: string } | null;
  /** The newest odds of each linked platform whose question maps onto the market's outcomes. */
  outside: OutsideReading[];
  /** The market's latest settlement (pending or applied) and its disputes; undefined before any. */
  settlement: LatestSettlement | undefined;
}

export interface LatestSettlement {
  settlement: SettlementRecord;
  disputes: Dispute[];
}

/** Where a view reads what other services keep about a market. */
export interface MarketViewSources {
  settlementOf: (marketId: string) => LatestSettlement | undefined;
  conditions: ConditionStore;
  odds: Pick<ResolutionStore, 'latestOdds'>;
  /** Views without one show no conversation. */
  conversation?: ConversationReader;
}

export interface Holding {
  market: Market;
  outcome: number;
  shares: Millis;
  price: number;
  /** What the shares would pay if the market resolved at today's prices, rounded down. */
  value: Millis;
}

export interface Portfolio {
  userId: string;
  balance: Millis;
  holdings: Holding[];
  /** Balance plus the value of live holdings at current prices. */
  netWorth: Millis;
}

/**
 * Read-only views for the edges: no transaction, no writes. Whatever a member names is looked up in their realm;
 * only the edges' own records (a posted card) use storage keys.
 */
export class MarketViews {
  constructor(
    private readonly store: Store,
    private readonly sources: MarketViewSources,
  ) {}

  /** The market a member of `realm` names; another realm's is answered as an unknown market. */
  market(realm: RealmId, slug: string): MarketView {
    const market = this.store.findMarketBySlug(realm, slug);
    if (!market) throw unknownMarket(slug);
    return this.view(market);
  }

  /** The market a member of `realm` names, if there is one there. */
  findMarket(realm: RealmId, slug: string): Market | undefined {
    return this.store.findMarketBySlug(realm, slug);
  }

  /** A market by storage key (what a posted card or a proposal records), or undefined. */
  marketByKey(key: string): MarketView | undefined {
    const market = this.store.findMarket(key);
    return market && this.view(market);
  }

  private view(market: Market): MarketView {
    const { conversation } = this.sources;
    return {
      market,
      prices: currentPrices(market),
      stats: this.store.marketStats(market.id),
      links: this.store.links(market.id),
      ...(conversation === undefined
        ? {}
        : {
            conversation: {
              evidence: tallyEvidence(conversation.evidence(market.id)),
              edits: conversation.edits(market.id),
              threadId: conversation.thread(market.id),
            },
          }),
      condition: this.conditionOf(market.id),
      outside: this.sources.odds.latestOdds(market.id),
      settlement: this.sources.settlementOf(market.id),
    };
  }

  private conditionOf(marketId: string): MarketView['condition'] {
    const link = this.sources.conditions.conditionOf(marketId);
    const condition = link && this.store.findMarket(link.conditionId);
    return link && condition ? { slug: condition.slug, outcome: condition.outcomes[link.outcome] ?? '?' } : null;
  }

  list(filter: MarketFilter): MarketView[] {
    return this.store.listMarkets(filter).map((market) => this.view(market));
  }

  /** Every realm's markets still trading whose card was never posted, opened at or before `openedBefore`; oldest first. */
  withoutCard(openedBefore: number, now: number): CardlessMarket[] {
    return this.store.marketsWithoutCard(openedBefore, now);
  }

  /** How many of the realm's markets `userId` opened that are still open (for the per-member limit); open markets are few. */
  openMarketsCreatedBy(realm: RealmId, userId: string): number {
    return this.store.listMarkets({ realm, status: 'open', limit: OPEN_MARKETS_SCANNED }).filter((market) => market.createdBy === userId).length;
  }

  /** The realm's markets matching what a member is typing, for autocomplete. */
  search(text: string, realm: RealmId, onlyOpen: boolean): Market[] {
    return this.store.searchMarkets(realm, text, onlyOpen, 25);
  }

  /** Who holds which shares of a market: what a resolution would pay. */
  holdings(id: string): Position[] {
    return this.store.positions(id);
  }

  /** At most `PRICE_HISTORY_POINTS` points: enough for a chart, and a bounded read however long the market has traded. */
  priceHistory(id: string): { at: number; prices: number[] }[] {
    return this.store.priceHistory(id, PRICE_HISTORY_POINTS);
  }

  /** A member's money and holdings in one realm. */
  portfolio(realm: RealmId, userId: string): Portfolio {
    const balance = this.store.findAccount(userAccount(realm, userId))?.balance ?? 0;
    const markets = new Map<string, Market>();
    const holdings: Holding[] = [];
    for (const position of this.store.livePositionsOf(realm, userId)) {
      let market = markets.get(position.marketId);
      if (!market) {
        market = this.store.findMarket(position.marketId);
        if (!market) continue;
        markets.set(market.id, market);
      }
      const price = currentPrices(market)[position.outcome] ?? 0;
      holdings.push({ market, outcome: position.outcome, shares: position.shares, price, value: Math.floor(position.shares * price) });
    }
    return { userId, balance, holdings, netWorth: balance + holdings.reduce((sum, h) => sum + h.value, 0) };
  }

  leaderboard(realm: RealmId, limit: number): ProfitRow[] {
    return this.store.profits(realm, limit);
  }
}
