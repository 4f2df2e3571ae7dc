import type { Market } from '../market.ts';
import type { Dispute, SettlementRecord } from './types.ts';

export const MAX_DISPUTE_REASON = 1000;

/** How many of a settlement's disputes are still open: each one holds its money back until a moderator answers it. */
export function openDisputeCount(disputes: readonly Dispute[]): number {
  return disputes.filter((dispute) => dispute.status === 'open').length;
}

/** A decision over the quorum that no second moderator has confirmed yet. */
export function awaitsSecond(record: SettlementRecord): boolean {
  return record.needsSecond && record.secondedBy === null;
}

/**
 * Why a member may not dispute a market's settlement now, in words; undefined when they may. A decision awaiting its
 * second moderator has not started its window (it starts from the second), so it can be disputed however long it has
 * waited, wherever the realm has a window (`windowMs`).
 */
export function disputeRefusal(facts: {
  market: Pick<Market, 'slug' | 'status'>;
  settlement: SettlementRecord | undefined;
  isTrader: boolean;
  earlier: Dispute | undefined;
  reason: string;
  now: number;
  windowMs: number;
}): string | undefined {
  const { market, settlement } = facts;
  if (settlement === undefined) {
    return market.status === 'resolved' || market.status === 'cancelled'
      ? `Market \`${market.slug}\` is settled and its dispute window is over; a moderator can still correct it with /mod correct.`
      : `Market \`${market.slug}\` has no resolution waiting out a dispute window.`;
  }
  if (awaitsSecond(settlement)) {
    if (facts.windowMs === 0) return `The resolution of \`${market.slug}\` awaits a second moderator, and this server has no dispute window: it pays once confirmed.`;
  } else if (facts.now >= settlement.windowEndsAt) return `The dispute window of \`${market.slug}\` has ended.`;
  if (!facts.isTrader) return `Only traders of \`${market.slug}\` can dispute its resolution.`;
  if (facts.earlier !== undefined) return `You have already disputed this resolution of \`${market.slug}\`.`;
  const reason = facts.reason.trim();
  if (reason === '') return 'Say why the resolution is wrong.';
  if (reason.length > MAX_DISPUTE_REASON) return `Keep the reason to ${MAX_DISPUTE_REASON} characters.`;
  return undefined;
}
