/** Per key: the run that has been asked for but not started, which everyone asking meanwhile shares. */
interface Lane {
  last: Promise<void>;
  queued: boolean;
}

/**
 * Work coalesced per key: at most one run in flight and one waiting. A waiting run reads its state when it starts,
 * so one run stands for every request made while the previous one was in flight — which keeps a busy market's card
 * edits and thread posts within Discord's rate limits instead of queueing without end.
 */
export class CoalescingLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly onError: (key: string, error: unknown) => void) {}

  /** Resolves once a run that started after this call has finished; never rejects (a failure goes to onError). */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const existing = this.lanes.get(key);
    if (existing?.queued) return existing.last;
    const lane = existing ?? { last: Promise.resolve(), queued: false };
    lane.queued = true;
    const ran = lane.last.then(async () => {
      // From here on the state is read afresh, so a change made after this point needs a run of its own.
      lane.queued = false;
      await work().catch((error: unknown) => this.onError(key, error));
    });
    lane.last = ran;
    this.lanes.set(key, lane);
    void ran.then(() => {
      if (lane.last === ran) this.lanes.delete(key);
    });
    return ran;
  }
}
