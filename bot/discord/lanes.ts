import { setTimeout as sleep } from 'node:timers/promises';

/** Per key: the run that has been asked for but not started, which everyone asking meanwhile shares. */
interface Lane {
  last: Promise<void>;
  queued: boolean;
  /** When the latest run started (performance.now()), so the next waits out the spacing from it. */
  startedAt: number;
}

/**
 * Work coalesced per key: at most one run in flight and one waiting. A waiting run reads its state when it starts,
 * so one run stands for every request made while the previous one was in flight — which keeps a busy market's card
 * edits and thread posts within Discord's rate limits instead of queueing without end. With `spacingMs`, runs of one
 * key also start at least that far apart: the first at once, the next (standing for everything asked meanwhile) when
 * the spacing has passed.
 */
export class CoalescingLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly spacingMs: number;

  constructor(
    private readonly onError: (key: string, error: unknown) => void,
    { spacingMs = 0 }: { spacingMs?: number } = {},
  ) {
    this.spacingMs = spacingMs;
  }

  /** Resolves once a run that started after this call has finished; never rejects (a failure goes to onError). */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const existing = this.lanes.get(key);
    if (existing?.queued) return existing.last;
    const lane = existing ?? { last: Promise.resolve(), queued: false, startedAt: Number.NEGATIVE_INFINITY };
    lane.queued = true;
    const ran = lane.last.then(async () => {
      const wait = lane.startedAt + this.spacingMs - performance.now();
      if (wait > 0) await sleep(wait);
      // From here on the state is read afresh, so a change made after this point needs a run of its own.
      lane.queued = false;
      lane.startedAt = performance.now();
      await work().catch((error: unknown) => this.onError(key, error));
    });
    lane.last = ran;
    this.lanes.set(key, lane);
    void ran.then(() => this.forgetWhenSpaced(key, lane, ran));
    return ran;
  }

  /** A lane with nothing waiting is forgotten once its spacing has passed, so idle keys cost nothing. */
  private forgetWhenSpaced(key: string, lane: Lane, ran: Promise<void>): void {
    const forget = () => {
      if (lane.last === ran && !lane.queued) this.lanes.delete(key);
    };
    const wait = lane.startedAt + this.spacingMs - performance.now();
    if (wait <= 0) forget();
    else setTimeout(forget, wait).unref();
  }
}
