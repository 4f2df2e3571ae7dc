import { PerformanceObserver } from 'node:perf_hooks';

/** One garbage collection that stopped a process's main thread, and for how long. */
export interface GcPause {
  pid: number;
  ms: number;
}

/**
 * The line `node --trace-gc` prints for each collection, whatever its kind, e.g. `[1234:0x5f3c] 8286 ms: Scavenge
 * 45.1 (52.3) -> 31.0 (52.3) MB, 11.52 / 0.00 ms (…)`: the process, and the main thread's pause (the figure before
 * the slash).
 */
const TRACE_LINE = /^\[(\d+):0x[0-9a-f]+\]\s+[\d.]+ ms: [A-Za-z-]+[^,\n]*, ([\d.]+) \/ [\d.]+ ms/gm;

/** The collections traced in `output` (a process's stdout under `--trace-gc`, or a slice of it). */
export function tracedGcPauses(output: string): GcPause[] {
  return [...output.matchAll(TRACE_LINE)].map(([, pid, ms]) => ({ pid: Number(pid), ms: Number(ms) }));
}

/** Runs `work` and collects this process's own collections while it runs, each pause in ms. */
export async function gcPausesDuring<T>(work: () => Promise<T>): Promise<{ value: T; pauses: number[] }> {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries().map((entry) => entry.duration)));
  observer.observe({ entryTypes: ['gc'] });
  try {
    return { value: await work(), pauses };
  } finally {
    // Entries still queued are delivered on the next turn of the loop; take them before letting go.
    pauses.push(...observer.takeRecords().map((entry) => entry.duration));
    observer.disconnect();
  }
}
