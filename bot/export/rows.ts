import type { ExportedLedgerEntry, ForecastRecord, MarketRecord } from '../../db/scoring-store.ts';
import type { ForecastExportRow, LedgerExportRow, MarketExportRow, MarketFactsRow } from '../../markets/exports.ts';
import type { ScoredUser } from '../../markets/forecasts.ts';
import { millisToCredits } from '../../markets/money.ts';
import type { CalibrationBucket, CrowdMarketScore } from '../../markets/scoring/index.ts';
import { isoTime, isoTimeOrNull } from './format.ts';

/* One builder per exported row; the row types come from the schemas the re-import parses with. */

export const MARKET_COLUMNS = [
  'market_id', 'guild_id', 'question', 'outcomes', 'status', 'created_by', 'created_at', 'closes_at', 'closed_at',
  'resolved_outcome', 'resolved_outcome_index', 'resolved_probabilities', 'resolved_at', 'liquidity', 'condition_market_id', 'condition_outcome',
  'settlements_decided_by', 'settlements_decider_held_position', 'settlements_status', 'crowd_brier', 'crowd_log_score', 'crowd_final_brier', 'crowd_final_log_score',
  'manifold_probabilities', 'manifold_at', 'metaculus_probabilities', 'metaculus_at', 'polymarket_probabilities', 'polymarket_at',
] as const satisfies readonly (keyof MarketExportRow)[];

export function marketFactsRow(market: MarketRecord): MarketFactsRow {
  return {
    market_id: market.id,
    guild_id: market.guildId,
    question: market.question,
    outcomes: [...market.outcomes],
    status: market.status,
    created_by: market.createdBy,
    created_at: isoTime(market.createdAt),
    closes_at: isoTime(market.closesAt),
    closed_at: isoTimeOrNull(market.closedAt),
    resolved_outcome: market.resolvedOutcome === null ? null : (market.outcomes[market.resolvedOutcome] ?? null),
    resolved_outcome_index: market.resolvedOutcome,
    resolved_probabilities: market.resolvedProbabilities === undefined || market.resolvedProbabilities === null ? null : [...market.resolvedProbabilities],
    resolved_at: isoTimeOrNull(market.resolvedAt),
    liquidity: market.liquidity,
    condition_market_id: market.conditionMarketId,
    condition_outcome: market.conditionOutcome,
  };
}

export function marketRow(market: MarketRecord, crowd: CrowdMarketScore | null): MarketExportRow {
  return {
    ...marketFactsRow(market),
    settlements_decided_by: market.settlements.map((settlement) => settlement.decidedBy),
    settlements_decider_held_position: market.settlements.map((settlement) => (settlement.heldPosition ? 1 : 0)),
    settlements_status: market.settlements.map((settlement) => settlement.status),
    crowd_brier: crowd?.timeAveragedBrier ?? null,
    crowd_log_score: crowd?.timeAveragedLogScore ?? null,
    crowd_final_brier: crowd?.finalBrier ?? null,
    crowd_final_log_score: crowd?.finalLogScore ?? null,
    ...outsideColumns(market, 'manifold'),
    ...outsideColumns(market, 'metaculus'),
    ...outsideColumns(market, 'polymarket'),
  };
}

/** The newest reading of one platform (of its newest-read link, if the market links it twice). */
function outsideColumns<Kind extends 'manifold' | 'metaculus' | 'polymarket'>(market: MarketRecord, kind: Kind) {
  const reading = market.outsideOdds.filter((candidate) => candidate.kind === kind).sort((a, b) => b.at - a.at)[0];
  return {
    [`${kind}_probabilities`]: reading ? [...reading.probabilities] : null,
    [`${kind}_at`]: reading ? isoTime(reading.at) : null,
  } as Record<`${Kind}_probabilities`, number[] | null> & Record<`${Kind}_at`, string | null>;
}

export const FORECAST_COLUMNS = ['user_id', 'market_id', 'guild_id', 'at', 'source', 'seq', 'probabilities'] as const satisfies readonly (keyof ForecastExportRow)[];

export function forecastRow(forecast: ForecastRecord, guildId: string | null): ForecastExportRow {
  return {
    user_id: forecast.userId,
    market_id: forecast.marketId,
    guild_id: guildId,
    at: isoTime(forecast.at),
    source: forecast.source,
    seq: forecast.seq,
    probabilities: [...forecast.probabilities],
  };
}

export const LEDGER_COLUMNS = [
  'entry_id', 'guild_id', 'at', 'from_account', 'to_account', 'amount_millis', 'reason', 'market_id', 'holder', 'outcome', 'shares_millis', 'prices_after',
] as const satisfies readonly (keyof LedgerExportRow)[];

export function ledgerRow(entry: ExportedLedgerEntry, guildId: string | null): LedgerExportRow {
  return {
    entry_id: entry.id,
    guild_id: guildId,
    at: isoTime(entry.at),
    from_account: entry.from,
    to_account: entry.to,
    amount_millis: entry.amount,
    reason: entry.reason,
    market_id: entry.marketId,
    holder: entry.holder,
    outcome: entry.outcome,
    shares_millis: entry.shares,
    prices_after: entry.pricesAfter,
  };
}

export interface CalibrationBucketRow {
  bucket_lower: number;
  bucket_upper: number;
  forecasts: number;
  mean_forecast: number | null;
  observed_frequency: number | null;
  interval_90_lower: number | null;
  interval_90_upper: number | null;
}

export const CALIBRATION_BUCKET_COLUMNS = [
  'bucket_lower', 'bucket_upper', 'forecasts', 'mean_forecast', 'observed_frequency', 'interval_90_lower', 'interval_90_upper',
] as const satisfies readonly (keyof CalibrationBucketRow)[];

export function calibrationBucketRow(bucket: CalibrationBucket): CalibrationBucketRow {
  return {
    bucket_lower: bucket.lower,
    bucket_upper: bucket.upper,
    forecasts: bucket.count,
    mean_forecast: bucket.meanForecast,
    observed_frequency: bucket.observedFrequency,
    interval_90_lower: bucket.intervalLower,
    interval_90_upper: bucket.intervalUpper,
  };
}

export interface UserScoreRow {
  user_id: string;
  /** The server the scores are from (null: the console's): a member is scored in each server apart. */
  guild_id: string | null;
  display_name: string | null;
  markets_forecast: number;
  mean_brier: number;
  mean_log_score: number;
  mean_relative_brier: number;
  mean_final_brier: number;
  mean_final_log_score: number;
  mean_baseline_score: number;
  mean_peer_score: number;
  mean_coverage: number;
  profit_credits: number;
  /** JSON only: a table per user does not fit in one CSV row. */
  calibration: CalibrationBucketRow[];
}

export const USER_SCORE_COLUMNS = [
  'user_id', 'guild_id', 'display_name', 'markets_forecast', 'mean_brier', 'mean_log_score', 'mean_relative_brier',
  'mean_final_brier', 'mean_final_log_score', 'mean_baseline_score', 'mean_peer_score', 'mean_coverage', 'profit_credits',
] as const satisfies readonly (keyof UserScoreRow)[];

export function userScoreRow(user: ScoredUser, guildId: string | null): UserScoreRow {
  return {
    user_id: user.userId,
    guild_id: guildId,
    display_name: user.displayName,
    markets_forecast: user.marketsForecast,
    mean_brier: user.meanBrier,
    mean_log_score: user.meanLogScore,
    mean_relative_brier: user.meanRelativeBrier,
    mean_final_brier: user.meanFinalBrier,
    mean_final_log_score: user.meanFinalLogScore,
    mean_baseline_score: user.meanBaselineScore,
    mean_peer_score: user.meanPeerScore,
    mean_coverage: user.meanCoverage,
    profit_credits: millisToCredits(user.profit),
    calibration: user.calibration.map(calibrationBucketRow),
  };
}
