/** A member gets at most one DM per market per this long; what happens meanwhile waits and goes in the next. */
export const DM_SPACING_MS = 60 * 60 * 1000;

/** What the outbox already holds for one member and one market. */
export interface RecipientHistory {
  /** The DM decided but not yet claimed by a sender, which new notices join. */
  pendingId: number | null;
  /** When the last DM to them about this market was sent (or claimed for sending). */
  lastSentAt: number | null;
}

export type DmPlan = { kind: 'join'; outboxId: number } | { kind: 'new'; dueAt: number };

/**
 * Where a new DM notice goes: into the waiting DM if there is one, else a new DM due now — or, if the last one went
 * out less than an hour ago, due an hour after it.
 */
export function planDm(history: RecipientHistory, now: number): DmPlan {
  if (history.pendingId !== null) return { kind: 'join', outboxId: history.pendingId };
  const earliest = history.lastSentAt === null ? now : history.lastSentAt + DM_SPACING_MS;
  return { kind: 'new', dueAt: Math.max(now, earliest) };
}
