import type { Millis } from '../money.ts';

export interface Transfer {
  userId: string;
  amount: Millis;
}

/**
 * How a settled market moves to a corrected settlement. Per trader, the difference between what the market's
 * settlements have paid them so far (`received`) and what the corrected one owes them (`owed`) is paid or taken back;
 * nobody is paid twice. A clawback never takes more than the trader's balance, so balances stay at or above zero:
 * what a trader already spent is `uncollected`, and the mint makes up the pool instead (see the README, "Correcting
 * a resolution"). The pool, empty since the first settlement, ends empty again.
 */
export interface CorrectionPlan {
  clawbacks: Transfer[];
  uncollected: Transfer[];
  payments: Transfer[];
  /** What the mint puts into the pool so every payment is made in full. */
  fromMint: Millis;
  /** What the pool hands back to the mint when the clawbacks exceed the payments. */
  toMint: Millis;
}

export function planCorrection(
  received: readonly Transfer[],
  owed: readonly Transfer[],
  balanceOf: (userId: string) => Millis,
): CorrectionPlan {
  const delta = new Map<string, Millis>();
  for (const { userId, amount } of owed) delta.set(userId, (delta.get(userId) ?? 0) + amount);
  for (const { userId, amount } of received) delta.set(userId, (delta.get(userId) ?? 0) - amount);
  const clawbacks: Transfer[] = [];
  const uncollected: Transfer[] = [];
  const payments: Transfer[] = [];
  for (const [userId, difference] of [...delta].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (difference > 0) payments.push({ userId, amount: difference });
    if (difference < 0) {
      const collectable = Math.min(-difference, Math.max(0, balanceOf(userId)));
      if (collectable > 0) clawbacks.push({ userId, amount: collectable });
      if (collectable < -difference) uncollected.push({ userId, amount: -difference - collectable });
    }
  }
  const collected = total(clawbacks);
  const paying = total(payments);
  return {
    clawbacks,
    uncollected,
    payments,
    fromMint: Math.max(0, paying - collected),
    toMint: Math.max(0, collected - paying),
  };
}

function total(transfers: readonly Transfer[]): Millis {
  return transfers.reduce((sum, transfer) => sum + transfer.amount, 0);
}
