import type { Millis } from '../money.ts';
import type { Position } from '../store.ts';
import { PERCENT, type ResolvedTo, sharePercent } from './distribution.ts';

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

/**
 * What a resolution owes: each share of outcome i pays its percent of a credit (a certain outcome's share one credit,
 * so a milli-share one milli). Per holder the sum over their outcomes is rounded down to a whole milli once; what
 * rounding leaves stays in the pool for the mint. Holders are listed in the order their first paying position comes.
 */
export function payoutsFor(positions: readonly Position[], resolved: ResolvedTo): Payment[] {
  const owed = new Map<string, number>();
  for (const { userId, outcome, shares } of positions) {
    const percent = sharePercent(resolved, outcome);
    if (shares > 0 && percent > 0) owed.set(userId, (owed.get(userId) ?? 0) + shares * percent);
  }
  return [...owed].map(([userId, hundredths]) => ({ userId, amount: Math.floor(hundredths / PERCENT) }));
}

/** What cancelling owes: each trader's net stake, pro rata if the pool cannot cover them all. */
export function refundsFor(netPaid: readonly { userId: string; paid: Millis }[], pool: Millis): Payment[] {
  return proRata(
    netPaid.filter((claim) => claim.paid > 0),
    pool,
  );
}
