import { blankEntry, marketAccount, MINT_ACCOUNT, userAccount } from '../ledger.ts';
import type { Market, Resolution } from '../market.ts';
import type { Millis } from '../money.ts';
import type { Store } from '../store.ts';
import { type Payment, payoutsFor, refundsFor } from './payouts.ts';

/**
 * What settling `market` as `verdict` (outcome null: cancelling) owes each trader, from its positions or net stakes
 * now, less what its earlier settlements paid them and no correction took back. Only a market settled before and
 * reinstated (a conditional whose condition was corrected) has such receipts: a refund its trader had already spent
 * when the reinstatement took refunds back is still theirs, and counts toward what they are owed now, so nobody is
 * paid twice. What they are not paid stays in the pool, which hands it back to the mint.
 */
export function owedFor(store: Store, market: Market, verdict: Pick<Resolution, 'outcome' | 'probabilities'>): Payment[] {
  const { outcome, probabilities } = verdict;
  const owed = outcome === null ? refundsFor(store.netPaid(market.id), market.pool) : payoutsFor(store.positions(market.id), { outcome, probabilities });
  const received = new Map(store.settlementReceived(market.id).map(({ userId, amount }) => [userId, amount]));
  return owed.map(({ userId, amount }) => ({ userId, amount: Math.max(0, amount - (received.get(userId) ?? 0)) }));
}

/** What the pool hands back to the mint once `paid` is paid. */
export function remainderOf(market: Market, paid: readonly Payment[]): Millis {
  return market.pool - paid.reduce((sum, p) => sum + p.amount, 0);
}

/**
 * The account of a market's trader in the market's realm, to pay them. Every trader has one (trading enrolled
 * them), except a member whose money predates realms and who never traded here since: the migration gave them one
 * wherever they held positions, so this only opens an account (without a grant) if that row is somehow missing.
 */
export function holderAccount(store: Store, market: Market, userId: string, at: number): string {
  const id = userAccount(market.realm, userId);
  if (!store.findAccount(id)) {
    store.createAccount({ id, kind: 'user', realm: market.realm, userId, displayName: null, createdAt: at });
  }
  return id;
}

/** Moves the money of a settlement and marks the market settled; the caller owns the transaction. */
export function paySettlement(store: Store, market: Market, paid: readonly Payment[], resolution: Resolution): { paid: Payment[]; returned: Millis } {
  const pool = marketAccount(market.id);
  const returned = remainderOf(market, paid);
  if (returned < 0) {
    throw new Error(`market ${market.id} owes ${market.pool - returned} but holds ${market.pool}: the solvency invariant is broken`);
  }
  const reason = resolution.outcome === null ? 'refund' : 'payout';
  const nonZero = paid.filter((p) => p.amount > 0);
  for (const { userId, amount } of nonZero) {
    store.append(blankEntry({ at: resolution.at, from: pool, to: holderAccount(store, market, userId, resolution.at), amount, reason, marketId: market.id }));
  }
  if (returned > 0) {
    store.append(blankEntry({ at: resolution.at, from: pool, to: MINT_ACCOUNT, amount: returned, reason: 'settle', marketId: market.id }));
  }
  store.saveMarketState(market.id, {
    ...market,
    status: resolution.outcome === null ? 'cancelled' : 'resolved',
    // Trading stopped at the close time if the close job had not run yet: trades are refused from then on.
    closedAt: market.closedAt ?? Math.min(market.closesAt, resolution.at),
    resolution,
  });
  store.rescoreMarket(market.id);
  return { paid: nonZero, returned };
}
