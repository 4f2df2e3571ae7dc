import { sortByTime } from './collections.ts';
import { assertFitsMarket } from './market-fit.ts';
import type { Forecast, ScoredMarket } from './types.ts';

export const DEFAULT_CALIBRATION_BUCKET_COUNT = 10;

/** One probability stated for one outcome, and whether that outcome happened. */
export interface CalibrationEntry {
  readonly probability: number;
  readonly happened: boolean;
}

/** Forecast probabilities in [lower, upper); the last bucket also holds p = 1. */
export interface CalibrationBucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Null when the bucket is empty. */
  readonly meanForecast: number | null;
  /** Share of the bucket's entries whose outcome happened; null when the bucket is empty. */
  readonly observedFrequency: number | null;
}

export type CalibrationTable = readonly CalibrationBucket[];

/**
 * The calibration entries of every forecast on this market at or before closesAt (forecasts on other markets are
 * ignored). Binary markets enter only the first outcome's probability: the second outcome's entry would be the
 * mirror image (1 - p, 1 - o), adding nothing but forcing the curve to look symmetric. With 3 or more outcomes every
 * outcome enters (one-vs-rest), since no single outcome stands for the forecast.
 */
export function calibrationEntries(market: ScoredMarket, forecasts: readonly Forecast[]): CalibrationEntry[] {
  const entries: CalibrationEntry[] = [];
  for (const { probabilities } of scoredInTimeOrder(market, forecasts)) {
    for (let outcome = 0; outcome < enteredOutcomes(probabilities); outcome++) {
      entries.push({ probability: probabilities[outcome]!, happened: outcome === market.resolvedOutcome });
    }
  }
  return entries;
}

/**
 * Tallies calibrationEntries(market, forecasts) without building them: the accumulator tallies a million forecasts,
 * and an object per entry would cost more than the tally.
 */
export function tallyCalibrationForecasts(tallies: CalibrationTally[], market: ScoredMarket, forecasts: readonly Forecast[]): void {
  for (const { probabilities } of scoredInTimeOrder(market, forecasts)) {
    for (let outcome = 0; outcome < enteredOutcomes(probabilities); outcome++) {
      tallyProbability(tallies, probabilities[outcome]!, outcome === market.resolvedOutcome);
    }
  }
}

/** The forecasts that enter calibration: this market's, at or before closesAt, in time order. */
function scoredInTimeOrder(market: ScoredMarket, forecasts: readonly Forecast[]): readonly Forecast[] {
  // Usually every forecast passed in counts (one user's on this market, all before the close): no copy then.
  let scored = forecasts;
  for (const forecast of forecasts) {
    if (!entersCalibration(forecast, market)) {
      scored = forecasts.filter((candidate) => entersCalibration(candidate, market));
      break;
    }
  }
  assertFitsMarket(scored, market);
  return sortByTime(scored);
}

function entersCalibration(forecast: Forecast, market: ScoredMarket): boolean {
  return forecast.marketId === market.marketId && forecast.at <= market.closesAt;
}

/** How many of a forecast's outcomes enter, from the first: one on a binary market, every one otherwise. */
function enteredOutcomes(probabilities: readonly number[]): number {
  return probabilities.length === 2 ? 1 : probabilities.length;
}

/**
 * Bucket i holds [i/k, (i+1)/k); p = 1 goes to the last bucket, which is therefore closed on the right.
 * A p on a boundary belongs to the bucket that starts there.
 */
export function calibrationBucketIndex(probability: number, bucketCount: number): number {
  let index = Math.min(bucketCount - 1, Math.max(0, Math.floor(probability * bucketCount)));
  // p * k can round across a boundary; settle against the same i / k that the table reports as bounds.
  if (index > 0 && probability < index / bucketCount) index -= 1;
  else if (index < bucketCount - 1 && probability >= (index + 1) / bucketCount) index += 1;
  return index;
}

/** A bucket's running sums: enough to report it without keeping its entries. */
export interface CalibrationTally {
  count: number;
  /** Summed in the order the entries came in, so the mean is the same as summing the kept entries. */
  probabilitySum: number;
  happened: number;
}

/** One empty tally per bucket. */
export function emptyCalibrationTallies(bucketCount: number = DEFAULT_CALIBRATION_BUCKET_COUNT): CalibrationTally[] {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) {
    throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
  }
  return Array.from({ length: bucketCount }, () => ({ count: 0, probabilitySum: 0, happened: 0 }));
}

export function tallyCalibrationEntry(tallies: CalibrationTally[], entry: CalibrationEntry): void {
  tallyProbability(tallies, entry.probability, entry.happened);
}

function tallyProbability(tallies: CalibrationTally[], probability: number, happened: boolean): void {
  const tally = tallies[calibrationBucketIndex(probability, tallies.length)]!;
  tally.count += 1;
  tally.probabilitySum += probability;
  if (happened) tally.happened += 1;
}

/** Every bucket is listed, empty ones too, so tables and charts always have the same rows. */
export function calibrationTableFromTallies(tallies: readonly CalibrationTally[]): CalibrationBucket[] {
  const bucketCount = tallies.length;
  return tallies.map((tally, index) => {
    const isEmpty = tally.count === 0;
    return {
      lower: index / bucketCount,
      upper: (index + 1) / bucketCount,
      count: tally.count,
      meanForecast: isEmpty ? null : tally.probabilitySum / tally.count,
      observedFrequency: isEmpty ? null : tally.happened / tally.count,
    };
  });
}

export function buildCalibrationTable(
  entries: readonly CalibrationEntry[],
  bucketCount: number = DEFAULT_CALIBRATION_BUCKET_COUNT,
): CalibrationBucket[] {
  const tallies = emptyCalibrationTallies(bucketCount);
  for (const entry of entries) tallyCalibrationEntry(tallies, entry);
  return calibrationTableFromTallies(tallies);
}
