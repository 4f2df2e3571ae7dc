import { errorReply, type Reply } from './reply.ts';

const MINUTE_MS = 60_000;
/** Past this many remembered users, buckets that have refilled are forgotten (they equal a fresh bucket). */
const PRUNE_AT = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per user: `perMinute` actions at once, refilled at `perMinute` a minute. The clock is passed in
 * so tests can move time without waiting. `perMinute` 0 turns the limit off.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `userId`: 0 when allowed, else how many milliseconds until the next token. */
  take(userId: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(userId), now);
    if (bucket.tokens >= 1) {
      this.remember(userId, { tokens: bucket.tokens - 1, at: now });
      return 0;
    }
    this.remember(userId, bucket);
    return Math.ceil(((1 - bucket.tokens) * MINUTE_MS) / this.perMinute);
  }

  /** One call for an edge: undefined when the user may go on, else the ephemeral refusal to send. */
  refusal(userId: string): Reply | undefined {
    const waitMs = this.take(userId);
    if (waitMs === 0) return undefined;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const actions = this.perMinute === 1 ? 'action' : 'actions';
    return errorReply(`Slow down: at most ${this.perMinute} ${actions} a minute. Try again in ${seconds} s; nothing was changed.`);
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (bucket === undefined) return { tokens: this.perMinute, at: now };
    const earned = (Math.max(0, now - bucket.at) * this.perMinute) / MINUTE_MS;
    return { tokens: Math.min(this.perMinute, bucket.tokens + earned), at: now };
  }

  private remember(userId: string, bucket: Bucket): void {
    this.buckets.set(userId, bucket);
    if (this.buckets.size <= PRUNE_AT) return;
    for (const [id, stored] of this.buckets) {
      if (this.refilled(stored, bucket.at).tokens >= this.perMinute) this.buckets.delete(id);
    }
  }
}
