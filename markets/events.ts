import type { EvidenceItem } from './evidence/evidence.ts';
import type { Market } from './market.ts';
import type { Millis } from './money.ts';
import type { SettlementRecord } from './settlement/types.ts';
import type { Quote } from './trade.ts';

/** One field of a market changed by /market edit, as recorded. */
export interface MarketEdit {
  field: 'question' | 'criteria' | 'closes_at' | 'tags';
  from: string;
  to: string;
  reason: string | null;
  editedBy: string;
  editedAt: number;
}

/**
 * What happened to a market, told by the use case that did it, inside its transaction: whoever listens (the thread
 * and the notifications) records what follows from it in the same commit.
 */
export type MarketEvent =
  | { kind: 'trade'; market: Market; userId: string; quote: Quote; at: number }
  | { kind: 'pending'; market: Market; settlement: SettlementRecord; at: number }
  | { kind: 'settled'; market: Market; paid: { userId: string; amount: Millis }[]; at: number }
  | { kind: 'evidence'; market: Market; item: EvidenceItem; at: number }
  | { kind: 'edited'; market: Market; edits: MarketEdit[]; at: number }
  | { kind: 'proposal'; market: Market; proposalId: number; verdict: string; at: number };

export type MarketEventSink = (event: MarketEvent) => void;

/** For engines that keep no conversation (benchmarks, the scoring tests). */
export const IGNORE_EVENTS: MarketEventSink = () => {};
