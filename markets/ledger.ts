import type { Millis } from './money.ts';
import type { RealmId } from './realms/realm.ts';

/**
 * Every movement of credits is one append-only ledger entry: `amount` leaves `from` and reaches `to`.
 * Entries that change a trader's holdings (buy, sell) also carry the signed milli-share change, so
 * balances and positions can both be rebuilt from the ledger alone.
 */
export const LEDGER_REASONS = ['grant', 'allowance', 'subsidy', 'buy', 'sell', 'payout', 'refund', 'settle', 'clawback', 'correction', 'migrate'] as const;

export type LedgerReason = (typeof LEDGER_REASONS)[number];

export interface LedgerEntry {
  at: number;
  from: string;
  to: string;
  amount: Millis;
  reason: LedgerReason;
  marketId: string | null;
  /** The user whose shares change (buy and sell only). */
  holder: string | null;
  outcome: number | null;
  /** Signed milli-share change for `holder`. */
  shares: Millis | null;
  /** Market prices right after this entry (subsidy, buy and sell only): the market's price history. */
  pricesAfter: number[] | null;
  requestId: string | null;
}

/** A buy or a sell: the one kind of entry that changes a holder's shares. */
export type TradeEntry = LedgerEntry & { marketId: string; holder: string; outcome: number; shares: Millis };

export interface RecordedLedgerEntry extends LedgerEntry {
  id: number;
}

/** The one account allowed below zero: its balance is minus every credit ever minted. */
export const MINT_ACCOUNT = 'mint';

/** A member's account in one realm: a member of three servers has three. */
export function userAccount(realm: RealmId, userId: string): string {
  return `user:${realm}:${userId}`;
}

export function marketAccount(marketId: string): string {
  return `market:${marketId}`;
}

export type AccountKind = 'mint' | 'user' | 'market';

export interface Account {
  id: string;
  kind: AccountKind;
  /** The realm the account's credits belong to; null for the mint and for members' accounts from before realms. */
  realm: RealmId | null;
  displayName: string | null;
  balance: Millis;
  /** The last UTC day (YYYY-MM-DD) on which the daily allowance was granted. */
  allowanceDay: string | null;
  createdAt: number;
}

export function blankEntry(fields: Pick<LedgerEntry, 'at' | 'from' | 'to' | 'amount' | 'reason'> & Partial<LedgerEntry>): LedgerEntry {
  return { marketId: null, holder: null, outcome: null, shares: null, pricesAfter: null, requestId: null, ...fields };
}
