import { errorReply, type Reply } from './reply.ts';

const MINUTE_MS = 60_000;
/** Past this many remembered users, buckets that have refilled are forgotten (they equal a fresh bucket). */
const PRUNE_AT = 10_000;

interface Bucket {
  tokens: number;
  at: number;
  /** The rate the bucket fills at; each server sets its own, and a change applies from the next action. */
  perMinute: number;
}

/**
 * A token bucket per member and server: `perMinute` actions at once, refilled at `perMinute` a minute. The clock is
 * passed in so tests can move time without waiting. `perMinute` 0 turns the limit off.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /** Takes one token from `key`'s bucket: 0 when allowed, else how many milliseconds until the next token. */
  take(key: string, perMinute: number): number {
    if (perMinute <= 0) return 0;
    const now = this.now();
    const bucket = refilled(this.buckets.get(key), perMinute, now);
    if (bucket.tokens >= 1) {
      this.remember(key, { ...bucket, tokens: bucket.tokens - 1 });
      return 0;
    }
    this.remember(key, bucket);
    return Math.ceil(((1 - bucket.tokens) * MINUTE_MS) / perMinute);
  }

  /** One call for an edge: undefined when the member may go on, else the ephemeral refusal to send. */
  refusal(key: string, perMinute: number): Reply | undefined {
    const waitMs = this.take(key, perMinute);
    if (waitMs === 0) return undefined;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const actions = perMinute === 1 ? 'action' : 'actions';
    return errorReply(`Slow down: at most ${perMinute} ${actions} a minute. Try again in ${seconds} s; nothing was changed.`);
  }

  private remember(key: string, bucket: Bucket): void {
    this.buckets.set(key, bucket);
    if (this.buckets.size <= PRUNE_AT) return;
    for (const [id, stored] of this.buckets) {
      if (refilled(stored, stored.perMinute, bucket.at).tokens >= stored.perMinute) this.buckets.delete(id);
    }
  }
}

function refilled(bucket: Bucket | undefined, perMinute: number, now: number): Bucket {
  if (bucket === undefined) return { tokens: perMinute, at: now, perMinute };
  const earned = (Math.max(0, now - bucket.at) * perMinute) / MINUTE_MS;
  return { tokens: Math.min(perMinute, bucket.tokens + earned), at: now, perMinute };
}
