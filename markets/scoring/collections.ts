import type { Forecast, TimedProbabilities } from './types.ts';

/**
 * Orders ids by UTF-16 code units rather than localeCompare, so the order of output rows does not depend on the
 * machine's locale.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Earliest first; points with equal times keep their input order (the sort is stable), so the later one holds.
 * Points already in time order, as the store reads them, come back as they are: scoring a million forecasts would
 * otherwise copy and sort every path for nothing.
 */
export function sortByTime<T extends TimedProbabilities>(points: readonly T[]): readonly T[] {
  for (let index = 1; index < points.length; index++) {
    if (points[index]!.at < points[index - 1]!.at) return points.toSorted((a, b) => a.at - b.at);
  }
  return points;
}

/** Groups in first-seen order, keeping each group's items in input order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The forecasts on one market; the list itself when they all are, as when a store reads one market at a time. */
export function forecastsOnMarket(forecasts: readonly Forecast[], marketId: string): readonly Forecast[] {
  const onMarket = (forecast: Forecast) => forecast.marketId === marketId;
  return forecasts.every(onMarket) ? forecasts : forecasts.filter(onMarket);
}
