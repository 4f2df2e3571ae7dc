import type { TimedProbabilities } from './types.ts';

/**
 * Orders ids by UTF-16 code units rather than localeCompare, so the order of output rows does not depend on the
 * machine's locale.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Earliest first; points with equal times keep their input order (the sort is stable), so the later one holds. */
export function sortByTime<T extends TimedProbabilities>(points: readonly T[]): T[] {
  return points.toSorted((a, b) => a.at - b.at);
}

/** Groups in first-seen order, keeping each group's items in input order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) appendTo(groups, keyOf(item), [item]);
  return groups;
}

function appendTo<T>(groups: Map<string, T[]>, key: string, items: readonly T[]): void {
  const group = groups.get(key);
  if (group) group.push(...items);
  else groups.set(key, [...items]);
}
