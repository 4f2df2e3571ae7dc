import { sortByTime } from './collections.ts';
import { assertFitsMarket } from './market-fit.ts';
import { wilsonInterval } from './statistics.ts';
import { type Forecast, observedOf, type ScoredMarket } from './types.ts';

export const DEFAULT_CALIBRATION_BUCKET_COUNT = 10;

/**
 * One probability stated for one outcome, and whether that outcome happened. For a market resolved to a probability
 * the outcome happened by that probability (a number in [0, 1]): it counts as that fraction of an entry that happened.
 */
export interface CalibrationEntry {
  readonly probability: number;
  readonly happened: boolean | number;
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
  /** The 90% Wilson interval of the observed frequency; null when the bucket is empty. */
  readonly intervalLower: number | null;
  readonly intervalUpper: number | null;
}

/** The nonzero buckets of one set of tallies as [bucket, count, probability sum, happened]: compact enough to store per member and market. */
export type SparseTallies = readonly (readonly [bucket: number, count: number, probabilitySum: number, happened: number])[];

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
      entries.push({ probability: probabilities[outcome]!, happened: happenedOf(market, outcome) });
    }
  }
  return entries;
}

/** Whether an outcome happened: true or false, or for a resolution to a probability that probability. */
function happenedOf(market: ScoredMarket, outcome: number): boolean | number {
  return market.resolvedProbabilities === undefined ? outcome === market.resolvedOutcome : observedOf(market.resolvedProbabilities, outcome);
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

/**
 * Each bucket's running sums (entries, their probability sum, how many happened): enough to report the table
 * without keeping the entries. Sums are added in the order entries come in, so a mean equals the kept entries' mean.
 * The sums live in a Float64Array that may be shared: the user summaries keep every user's tallies in one array, so
 * tallying a million forecasts into 10,000 users reads one place per user instead of following a chain of objects.
 */
export class CalibrationTallies {
  /** How many numbers the tallies of `bucketCount` buckets take in a shared array. */
  static width(bucketCount: number): number {
    if (!Number.isInteger(bucketCount) || bucketCount < 1) {
      throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
    }
    return 3 * bucketCount;
  }

  constructor(
    readonly bucketCount: number = DEFAULT_CALIBRATION_BUCKET_COUNT,
    private readonly sums: Float64Array = new Float64Array(CalibrationTallies.width(bucketCount)),
    private readonly offset = 0,
  ) {}

  add(probability: number, happened: boolean | number): void {
    const { sums } = this;
    const at = this.offset + 3 * calibrationBucketIndex(probability, this.bucketCount);
    sums[at] = sums[at]! + 1;
    sums[at + 1] = sums[at + 1]! + probability;
    const weight = typeof happened === 'number' ? happened : happened ? 1 : 0;
    if (weight !== 0) sums[at + 2] = sums[at + 2]! + weight;
  }

  /** Adds calibrationEntries(market, forecasts) without building them. */
  addForecasts(market: ScoredMarket, forecasts: readonly Forecast[]): void {
    for (const { probabilities } of scoredInTimeOrder(market, forecasts)) {
      for (let outcome = 0; outcome < enteredOutcomes(probabilities); outcome++) {
        this.add(probabilities[outcome]!, happenedOf(market, outcome));
      }
    }
  }

  /** Adds tallies kept with sparse(), as if their entries had been added here. */
  addSparse(tallies: SparseTallies): void {
    for (const [bucket, count, probabilitySum, happened] of tallies) {
      const at = this.offset + 3 * bucket;
      this.sums[at] = this.sums[at]! + count;
      this.sums[at + 1] = this.sums[at + 1]! + probabilitySum;
      this.sums[at + 2] = this.sums[at + 2]! + happened;
    }
  }

  sparse(): SparseTallies {
    const tallies: [number, number, number, number][] = [];
    for (let bucket = 0; bucket < this.bucketCount; bucket++) {
      const at = this.offset + 3 * bucket;
      if (this.sums[at]! > 0) tallies.push([bucket, this.sums[at]!, this.sums[at + 1]!, this.sums[at + 2]!]);
    }
    return tallies;
  }

  /** Every bucket is listed, empty ones too, so tables and charts always have the same rows. */
  table(): CalibrationBucket[] {
    return Array.from({ length: this.bucketCount }, (_, index) => {
      const at = this.offset + 3 * index;
      const count = this.sums[at]!;
      const isEmpty = count === 0;
      const interval = wilsonInterval(this.sums[at + 2]!, count);
      return {
        lower: index / this.bucketCount,
        upper: (index + 1) / this.bucketCount,
        count,
        meanForecast: isEmpty ? null : this.sums[at + 1]! / count,
        observedFrequency: isEmpty ? null : this.sums[at + 2]! / count,
        intervalLower: interval?.[0] ?? null,
        intervalUpper: interval?.[1] ?? null,
      };
    });
  }
}

export function buildCalibrationTable(
  entries: readonly CalibrationEntry[],
  bucketCount: number = DEFAULT_CALIBRATION_BUCKET_COUNT,
): CalibrationBucket[] {
  const tallies = new CalibrationTallies(bucketCount);
  for (const { probability, happened } of entries) tallies.add(probability, happened);
  return tallies.table();
}
