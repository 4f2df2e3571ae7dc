import { type CalibrationTable, CalibrationTallies, DEFAULT_CALIBRATION_BUCKET_COUNT, type SparseTallies } from './calibration.ts';
import { compareIds, groupBy } from './collections.ts';
import { type MemberMarketScore, scoreMarketMembers } from './member-scores.ts';
import type { Forecast, ScoredMarket } from './types.ts';

export interface UserSummaryOptions {
  /** Profit per user from the ledger, carried into the row untouched; users it omits never traded, and get 0. */
  readonly profitByUser?: ReadonlyMap<string, number>;
  /** Number of equal-width calibration buckets; 10 when omitted. */
  readonly calibrationBucketCount?: number;
}

/** One user's record over every resolved market they forecast at or before its close. */
export interface UserSummary {
  readonly userId: string;
  readonly marketsForecast: number;
  /** Means over those markets of the per-market time-averaged scores. */
  readonly meanBrier: number;
  readonly meanLogScore: number;
  readonly meanRelativeBrier: number;
  /** Means over those markets of the final-forecast scores. */
  readonly meanFinalBrier: number;
  readonly meanFinalLogScore: number;
  /** Means over those markets of the comparable scores (see comparable.ts). */
  readonly meanBaselineScore: number;
  readonly meanPeerScore: number;
  readonly meanCoverage: number;
  readonly profit: number;
  readonly calibration: CalibrationTable;
}

/** Where each running sum sits in a user's row; the calibration tallies follow them. */
const MARKETS = 0;
const BRIER = 1;
const LOG_SCORE = 2;
const RELATIVE_BRIER = 3;
const FINAL_BRIER = 4;
const FINAL_LOG_SCORE = 5;
const BASELINE = 6;
const PEER = 7;
const COVERAGE = 8;
const CALIBRATION = 9;

/**
 * Builds the user summaries one market at a time, keeping per user only running sums and calibration tallies, so
 * scoring a million forecasts never holds more than one market's forecasts. Markets must come in increasing
 * marketId order (compareIds), each once: every sum is then added in the same order however the forecasts were
 * stored, and the rows equal `summariseUsers` on the same data exactly, not just to rounding.
 */
export class UserSummaryAccumulator {
  /*
   * Every user's sums are one row of a single Float64Array, found through the user's row number: a market adds to a
   * few hundred users picked from thousands, and one row per user costs far fewer memory reads than an object per
   * user holding further objects.
   */
  private readonly rowOf = new Map<string, number>();
  private sums = new Float64Array(0);
  private readonly rowWidth: number;
  private lastMarketId: string | undefined;
  private readonly bucketCount: number;

  constructor(private readonly options: UserSummaryOptions = {}) {
    this.bucketCount = options.calibrationBucketCount ?? DEFAULT_CALIBRATION_BUCKET_COUNT;
    this.rowWidth = CALIBRATION + CalibrationTallies.width(this.bucketCount);
  }

  /** Folds in one resolved market and its forecasts (forecasts on other markets are ignored). */
  addMarket(market: ScoredMarket, forecasts: readonly Forecast[]): void {
    this.addScoredMarket(market.marketId, scoreMarketMembers(market, forecasts, this.bucketCount));
  }

  /** Folds in one market's member scores, as scoreMarketMembers made them or as they were stored. */
  addScoredMarket(marketId: string, rows: readonly MemberMarketScore[]): void {
    if (this.lastMarketId !== undefined && compareIds(this.lastMarketId, marketId) >= 0) {
      throw new RangeError(`markets must be added in increasing marketId order, each once: ${marketId} came after ${this.lastMarketId}`);
    }
    this.lastMarketId = marketId;
    for (const score of rows) {
      const row = this.rowFor(score.userId);
      this.addTo(row + MARKETS, 1);
      this.addTo(row + BRIER, score.timeAveragedBrier);
      this.addTo(row + LOG_SCORE, score.timeAveragedLogScore);
      this.addTo(row + RELATIVE_BRIER, score.relativeBrier);
      this.addTo(row + FINAL_BRIER, score.finalBrier);
      this.addTo(row + FINAL_LOG_SCORE, score.finalLogScore);
      this.addTo(row + BASELINE, score.baselineScore);
      this.addTo(row + PEER, score.peerScore);
      this.addTo(row + COVERAGE, score.coverage);
      this.talliesAt(row).addSparse(score.calibration);
    }
  }

  /** Every user with at least one scored forecast so far, ordered by userId. */
  summaries(): UserSummary[] {
    const sums = this.sums;
    return [...this.rowOf]
      .sort(([a], [b]) => compareIds(a, b))
      .map(([userId, row]) => {
        const markets = sums[row + MARKETS]!;
        return {
          userId,
          marketsForecast: markets,
          meanBrier: sums[row + BRIER]! / markets,
          meanLogScore: sums[row + LOG_SCORE]! / markets,
          meanRelativeBrier: sums[row + RELATIVE_BRIER]! / markets,
          meanFinalBrier: sums[row + FINAL_BRIER]! / markets,
          meanFinalLogScore: sums[row + FINAL_LOG_SCORE]! / markets,
          meanBaselineScore: sums[row + BASELINE]! / markets,
          meanPeerScore: sums[row + PEER]! / markets,
          meanCoverage: sums[row + COVERAGE]! / markets,
          profit: this.options.profitByUser?.get(userId) ?? 0,
          calibration: this.talliesAt(row).table(),
        };
      });
  }

  /** The calibration tallies summed so far for one user (none for a user not scored yet). */
  calibrationOf(userId: string): SparseTallies {
    const row = this.rowOf.get(userId);
    return row === undefined ? [] : this.talliesAt(row).sparse();
  }

  private addTo(at: number, value: number): void {
    this.sums[at] = this.sums[at]! + value;
  }

  private talliesAt(row: number): CalibrationTallies {
    return new CalibrationTallies(this.bucketCount, this.sums, row + CALIBRATION);
  }

  /** The user's row, added (zeroed) the first time they are scored; the array grows by doubling. */
  private rowFor(userId: string): number {
    let row = this.rowOf.get(userId);
    if (row === undefined) {
      row = this.rowOf.size * this.rowWidth;
      if (row + this.rowWidth > this.sums.length) {
        const grown = new Float64Array(Math.max(2 * this.sums.length, 64 * this.rowWidth));
        grown.set(this.sums);
        this.sums = grown;
      }
      this.rowOf.set(userId, row);
    }
    return row;
  }
}

/**
 * Summarises every user with at least one scored forecast, ordered by userId. Pass only resolved markets: forecasts
 * on markets not passed in (cancelled, unresolved) are ignored. Markets are processed in marketId order, so the
 * result does not depend on the order the markets arrive in.
 */
export function summariseUsers(
  markets: readonly ScoredMarket[],
  forecasts: readonly Forecast[],
  options: UserSummaryOptions = {},
): UserSummary[] {
  const forecastsByMarket = groupBy(forecasts, (forecast) => forecast.marketId);
  const accumulator = new UserSummaryAccumulator(options);
  for (const market of markets.toSorted((a, b) => compareIds(a.marketId, b.marketId))) {
    accumulator.addMarket(market, forecastsByMarket.get(market.marketId) ?? []);
  }
  return accumulator.summaries();
}
