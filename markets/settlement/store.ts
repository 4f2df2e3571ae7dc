import type { Millis } from '../money.ts';
import type { Payment } from './payouts.ts';
import type { Dispute, DisputeStatus, SettlementRecord } from './types.ts';

/** What settlements and disputes need from storage. One implementation lives in db/. */
export interface SettlementStore {
  /** `outcomeCount`: the market's, so the whole distribution is stored. */
  insert(record: Omit<SettlementRecord, 'id'>, outcomeCount: number): number;
  find(id: number): SettlementRecord | undefined;
  /** The market's settlement waiting out its window, if any. */
  pendingFor(marketId: string): SettlementRecord | undefined;
  /** The market's latest settlement that was not superseded: pending or applied. */
  latestFor(marketId: string): SettlementRecord | undefined;
  /** Marks a pending settlement superseded by a new decision, and its open disputes with it. */
  supersede(id: number): void;
  /** Records the second moderator of a pending settlement; its window starts again from then. */
  second(id: number, secondedBy: string, windowEndsAt: number): void;
  /** Marks a pending settlement applied; false if it was not pending (already applied or superseded). */
  markApplied(id: number, at: number, upheldBy: string | null): boolean;
  /** Pending settlements whose window ended by `now`, seconded where a second is needed, and that no open dispute holds back, oldest first. */
  dueToApply(now: number): SettlementRecord[];
  /** Whether that settlement is one `dueToApply` would list now. */
  isDueToApply(id: number, now: number): boolean;
  /** Applied settlements whose result has not been posted yet. */
  unannounced(): SettlementRecord[];
  markAnnounced(id: number, at: number): void;
  /** When `userId` last bought or sold in the market, if ever. */
  lastTradeAt(marketId: string, userId: string): number | undefined;
  /**
   * What the settlement of a market applied at `appliedAt` paid each trader, and what it handed back to the mint, from
   * the ledger: only that settlement's rows, since a reinstated conditional also has the refunds, clawbacks and
   * returns of the settlements before it.
   */
  paidOut(marketId: string, appliedAt: number): { paid: Payment[]; returned: Millis };

  insertDispute(dispute: Omit<Dispute, 'id'>): number;
  findDispute(id: number): Dispute | undefined;
  disputeBy(settlementId: number, userId: string): Dispute | undefined;
  disputesOf(settlementId: number): Dispute[];
  /** Answers the settlement's open disputes. */
  closeDisputes(settlementId: number, status: Exclude<DisputeStatus, 'open'>): void;
  unnotifiedDisputes(): Dispute[];
  markDisputeNotified(id: number, at: number): void;
}
