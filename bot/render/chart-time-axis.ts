const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Tick spacings a reader can name; the first that keeps the axis to at most `maxTicks` ticks is used. */
const TICK_STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];

export function timeTickStep(fromMs: number, toMs: number, maxTicks: number): number {
  const span = toMs - fromMs;
  return TICK_STEPS.find((step) => span / step <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY;
}

/**
 * Ticks on UTC-aligned multiples of the step, so labels fall on midnights or whole hours. Chart.js's own linear
 * ticks would land on round numbers of milliseconds, which as dates are arbitrary times (and repeat a date).
 */
export function timeTicks(fromMs: number, toMs: number, step: number): number[] {
  const ticks: number[] = [];
  for (let tick = Math.ceil(fromMs / step) * step; tick <= toMs; tick += step) ticks.push(tick);
  return ticks;
}

/** Dates in UTC (the bot serves people in many time zones), with the time of day once steps are under a day. */
export function formatTimeTick(epochMs: number, step: number): string {
  const iso = new Date(epochMs).toISOString();
  return step < DAY ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
