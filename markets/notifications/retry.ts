import { backoffDelay } from '../backoff.ts';

/** Sends of one outbox entry that went unanswered before it is given up on. */
export const MAX_SEND_ATTEMPTS = 5;
const FIRST_RETRY_MS = 60 * 1000;
const LONGEST_RETRY_MS = 8 * 60 * 1000;

/**
 * When to try an entry again after its `failures`-th unanswered send: a minute later, then twice as long each time
 * (1, 2, 4, 8 minutes), so a Discord outage is waited out without hammering it; undefined once it is given up on.
 */
export function retryAt(failures: number, now: number): number | undefined {
  return failures >= MAX_SEND_ATTEMPTS ? undefined : now + backoffDelay(failures - 1, FIRST_RETRY_MS, LONGEST_RETRY_MS);
}
