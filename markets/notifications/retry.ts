/** Sends of one outbox entry that went unanswered before it is given up on. */
export const MAX_SEND_ATTEMPTS = 5;
const FIRST_RETRY_MS = 60 * 1000;

/**
 * When to try an entry again after its `failures`-th unanswered send: a minute later, then twice as long each time
 * (1, 2, 4, 8 minutes), so a Discord outage is waited out without hammering it; undefined once it is given up on.
 */
export function retryAt(failures: number, now: number): number | undefined {
  return failures >= MAX_SEND_ATTEMPTS ? undefined : now + FIRST_RETRY_MS * 2 ** (failures - 1);
}
