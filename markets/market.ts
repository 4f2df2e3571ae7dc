import { CruxError } from './errors.ts';
import type { Millis } from './money.ts';
import { prices } from './lmsr.ts';
import type { RealmId } from './realms/realm.ts';

export type MarketStatus = 'open' | 'closed' | 'resolved' | 'cancelled';

export const MIN_OUTCOMES = 2;
export const MAX_OUTCOMES = 20;

export interface Resolution {
  /** The winning outcome's index, or null when the market was cancelled. */
  outcome: number | null;
  /** A resolution to a probability: each outcome's share paid this percent of a credit (see ResolvedTo). */
  probabilities?: readonly number[] | undefined;
  decidedBy: string;
  evidence: string;
  at: number;
}

export interface Market {
  /** The storage key, unique across realms; what the ledger, positions and forecasts refer to. */
  id: string;
  /** The realm the market belongs to; only that realm can find it. */
  realm: RealmId;
  /** What members type and see: unique within the realm. */
  slug: string;
  guildId: string | null;
  channelId: string | null;
  messageId: string | null;
  question: string;
  criteria: string;
  outcomes: string[];
  /** The LMSR liquidity parameter b, in credits. */
  liquidity: number;
  /** The share vector at opening; it sets the opening prices and stays fixed. */
  openingShares: number[];
  /** Milli-shares held by traders, per outcome: the maker's liability if that outcome wins. */
  outstanding: Millis[];
  /** What the maker put in at opening, covering its worst-case loss. */
  subsidy: Millis;
  /** Credits the market holds: subsidy plus what traders paid minus what they took out. */
  pool: Millis;
  status: MarketStatus;
  createdBy: string;
  createdAt: number;
  closesAt: number;
  closedAt: number | null;
  resolution: Resolution | null;
  tags: string[];
}

/** The full LMSR share vector: opening offsets plus traders' holdings. */
export function shareVector(market: Pick<Market, 'openingShares' | 'outstanding'>): number[] {
  return market.openingShares.map((q0, i) => q0 + (market.outstanding[i] ?? 0) / 1000);
}

export function currentPrices(market: Pick<Market, 'openingShares' | 'outstanding' | 'liquidity'>): number[] {
  return prices(shareVector(market), market.liquidity);
}

/** A market stops trading at its close time even before the close job has marked it closed. */
export function isTradable(market: Market, now: number): boolean {
  return market.status === 'open' && now < market.closesAt;
}

export function assertTradable(market: Market, now: number): void {
  if (market.status === 'resolved' || market.status === 'cancelled') {
    throw new CruxError('market_not_open', `Market \`${market.slug}\` is ${market.status}; it no longer trades.`);
  }
  if (!isTradable(market, now)) {
    throw new CruxError('market_not_open', `Market \`${market.slug}\` is closed for trading.`);
  }
}

/** Closing is allowed from open only; it is what a moderator or the close job does. */
export function assertClosable(market: Market): void {
  if (market.status !== 'open') {
    throw new CruxError('market_not_open', `Market \`${market.slug}\` is already ${market.status}.`);
  }
}

/** A market may be resolved or cancelled while open or closed; once settled it stays settled. */
export function assertSettleable(market: Market): void {
  if (market.status === 'resolved' || market.status === 'cancelled') {
    throw new CruxError('market_settled', `Market \`${market.slug}\` is already ${market.status}.`);
  }
}

export function outcomeIndex(market: Pick<Market, 'slug' | 'outcomes'>, outcome: string): number {
  const wanted = outcome.trim().toLowerCase();
  const index = market.outcomes.findIndex((name) => name.toLowerCase() === wanted);
  if (index === -1) {
    throw new CruxError(
      'unknown_outcome',
      `\`${outcome}\` is not an outcome of \`${market.slug}\`; choose one of: ${market.outcomes.join(', ')}.`,
    );
  }
  return index;
}

/** The most the pool may have to pay: the outstanding shares of whichever outcome is largest. */
export function maxLiability(outstanding: readonly Millis[]): Millis {
  return Math.max(0, ...outstanding);
}
