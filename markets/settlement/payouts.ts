import type { Millis } from '../money.ts';
import type { Position } from '../store.ts';

export interface Payment {
  userId: string;
  amount: Millis;
}

/** Splits `pool` among claims in proportion, rounding each share down, when the pool cannot pay them all. */
export function proRata(claims: { userId: string; paid: Millis }[], pool: Millis): Payment[] {
  const total = claims.reduce((sum, claim) => sum + claim.paid, 0);
  if (total <= pool) return claims.map((claim) => ({ userId: claim.userId, amount: claim.paid }));
  return claims.map((claim) => ({
    userId: claim.userId,
    amount: Number((BigInt(claim.paid) * BigInt(pool)) / BigInt(total)),
  }));
}

/** What a resolution to `winner` owes: each winning share pays one credit. */
export function payoutsFor(positions: readonly Position[], winner: number): Payment[] {
  return positions
    .filter((position) => position.outcome === winner && position.shares > 0)
    .map((position) => ({ userId: position.userId, amount: position.shares }));
}

/** What cancelling owes: each trader's net stake, pro rata if the pool cannot cover them all. */
export function refundsFor(netPaid: readonly { userId: string; paid: Millis }[], pool: Millis): Payment[] {
  return proRata(
    netPaid.filter((claim) => claim.paid > 0),
    pool,
  );
}
