import {
  calibrationTableFromTallies,
  type CalibrationTable,
  type CalibrationTally,
  emptyCalibrationTallies,
  tallyCalibrationForecasts,
} from './calibration.ts';
import { compareIds, groupBy } from './collections.ts';
import { relativeBrier, scoreForecasterPaths } from './market-scores.ts';
import type { Forecast, ScoredMarket } from './types.ts';

export interface UserSummaryOptions {
  /** Profit per user from the ledger, carried into the row untouched; users it omits get null. */
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
  readonly profit: number | null;
  readonly calibration: CalibrationTable;
}

/** One user's running sums over the markets folded in so far. */
interface UserTotals {
  markets: number;
  brier: number;
  logScore: number;
  relativeBrier: number;
  finalBrier: number;
  finalLogScore: number;
  calibration: CalibrationTally[];
}

/**
 * Builds the user summaries one market at a time, keeping per user only running sums and calibration tallies, so
 * scoring a million forecasts never holds more than one market's forecasts. Markets must come in increasing
 * marketId order (compareIds), each once: every sum is then added in the same order however the forecasts were
 * stored, and the rows equal `summariseUsers` on the same data exactly, not just to rounding.
 */
export class UserSummaryAccumulator {
  private readonly totals = new Map<string, UserTotals>();
  private lastMarketId: string | undefined;
  private readonly bucketCount: number;

  constructor(private readonly options: UserSummaryOptions = {}) {
    this.bucketCount = emptyCalibrationTallies(options.calibrationBucketCount).length;
  }

  /** Folds in one resolved market and its forecasts (forecasts on other markets are ignored). */
  addMarket(market: ScoredMarket, forecasts: readonly Forecast[]): void {
    if (this.lastMarketId !== undefined && compareIds(this.lastMarketId, market.marketId) >= 0) {
      throw new RangeError(`markets must be added in increasing marketId order, each once: ${market.marketId} came after ${this.lastMarketId}`);
    }
    this.lastMarketId = market.marketId;
    const onThisMarket = forecasts.filter((forecast) => forecast.marketId === market.marketId);
    const byUser = groupBy(onThisMarket, (forecast) => forecast.userId);
    const { scored, medianBrier } = scoreForecasterPaths(market, byUser);
    for (const { userId, scores } of scored) {
      const totals = this.totalsOf(userId);
      totals.markets += 1;
      totals.brier += scores.timeAveragedBrier;
      totals.logScore += scores.timeAveragedLogScore;
      totals.relativeBrier += relativeBrier(scores, medianBrier);
      totals.finalBrier += scores.finalBrier;
      totals.finalLogScore += scores.finalLogScore;
      // A user is scored here exactly when they forecast at or before the close, which is what calibration tallies.
      tallyCalibrationForecasts(totals.calibration, market, byUser.get(userId)!);
    }
  }

  /** Every user with at least one scored forecast so far, ordered by userId. */
  summaries(): UserSummary[] {
    return [...this.totals]
      .sort(([a], [b]) => compareIds(a, b))
      .map(([userId, totals]) => ({
        userId,
        marketsForecast: totals.markets,
        meanBrier: totals.brier / totals.markets,
        meanLogScore: totals.logScore / totals.markets,
        meanRelativeBrier: totals.relativeBrier / totals.markets,
        meanFinalBrier: totals.finalBrier / totals.markets,
        meanFinalLogScore: totals.finalLogScore / totals.markets,
        profit: this.options.profitByUser?.get(userId) ?? null,
        calibration: calibrationTableFromTallies(totals.calibration),
      }));
  }

  private totalsOf(userId: string): UserTotals {
    let totals = this.totals.get(userId);
    if (totals === undefined) {
      totals = { markets: 0, brier: 0, logScore: 0, relativeBrier: 0, finalBrier: 0, finalLogScore: 0, calibration: emptyCalibrationTallies(this.bucketCount) };
      this.totals.set(userId, totals);
    }
    return totals;
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
