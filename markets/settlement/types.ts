import type { Market } from '../market.ts';
import type { Millis } from '../money.ts';
import type { Payment } from './payouts.ts';

/** A decision to resolve (an outcome) or cancel (null) a market, with who took it and on what evidence. */
export interface SettlementDecision {
  outcome: number | null;
  /** A resolution to a probability: each outcome's share pays this percent of a credit (see ResolvedTo). */
  probabilities?: readonly number[] | undefined;
  decidedBy: string;
  evidence: string;
  decidedAt: number;
}

/**
 * The pending decision a moderator was shown when asked to confirm theirs (null: none was pending). Another one in
 * its place by the time they confirm means theirs would replace a decision they never saw, so nothing is decided.
 */
export interface ShownPending {
  pendingId: number | null;
}

export type SettlementStatus = 'pending' | 'applied' | 'superseded';

/** A recorded decision: pending while its dispute window runs, applied once the money has moved. */
export interface SettlementRecord extends SettlementDecision {
  id: number;
  marketId: string;
  windowEndsAt: number;
  /** Whether the decider held shares of the market when deciding. */
  deciderHeldPosition: boolean;
  status: SettlementStatus;
  /** Whether the market's pool was above the server's quorum: a second moderator must confirm before money moves. */
  needsSecond: boolean;
  secondedBy: string | null;
  appliedAt: number | null;
  upheldBy: string | null;
  announcedAt: number | null;
}

export interface Settlement {
  market: Market;
  /** Per trader, what the settlement pays (payouts on resolve, refunds on cancel): now, or when its window ends. */
  paid: Payment[];
  /** What goes back to the mint: the unused subsidy and rounding. */
  returned: Millis;
  /** The recorded decision; its `status` says whether the money has moved. */
  record: SettlementRecord;
  /** The markets conditional on this one (and on those, down the chain) that applying it cancelled, with their refunds. */
  cancelledConditionals: Settlement[];
}

export type DisputeStatus = 'open' | 'overruled' | 'superseded';

export interface Dispute {
  id: number;
  settlementId: number;
  userId: string;
  reason: string;
  evidence: string | null;
  createdAt: number;
  status: DisputeStatus;
  notifiedAt: number | null;
}
