import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
}

/** Calls `step` back to back for about `seconds` and counts the calls; each call is one unit of work. */
export function measureRate(seconds: number, step: () => void): Rate {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let count = 0;
  let now = start;
  while (now < deadline) {
    step();
    count += 1;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  return { count, seconds: elapsed, perSecond: count / elapsed };
}

/** Runs `step` untimed first, so compilation and caches warm up outside the measurement, then measures it. */
export function warmThenMeasure(warmSeconds: number, seconds: number, step: () => void): Rate {
  measureRate(warmSeconds, step);
  return measureRate(seconds, step);
}

export function combineRates(rates: readonly Rate[]): Rate {
  const count = rates.reduce((sum, rate) => sum + rate.count, 0);
  const seconds = rates.reduce((sum, rate) => sum + rate.seconds, 0);
  return { count, seconds, perSecond: count / seconds };
}

export interface Slice {
  seconds: number;
  step: () => void;
}

/**
 * Measures several kinds of work in alternating slices, round after round, so that a disk which stalls or
 * speeds up for a while (virtual disks do) weighs on each alike and their ratio stays meaningful.
 */
export function measureInterleaved<K extends string>(rounds: number, slices: Record<K, Slice>): Record<K, Rate[]> {
  const kinds = Object.keys(slices) as K[];
  const rates = Object.fromEntries(kinds.map((kind) => [kind, [] as Rate[]])) as Record<K, Rate[]>;
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) rates[kind].push(measureRate(slices[kind].seconds, slices[kind].step));
  }
  return rates;
}

/** The middle value (of an odd count; the upper middle of an even one). */
export function median(values: readonly number[]): number {
  return values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

/** The value below which a share `p` of the sorted values lie. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

export function timeMs<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

/** Gives `work` a fresh folder under the system temp dir, and removes it whatever happens. */
export async function withTempDir<T>(work: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'crux-bench-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
