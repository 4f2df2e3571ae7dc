export { FORECAST_DEFINITION, SCORING_DEFINITIONS } from './definitions.ts';
export {
  ForecastSchema,
  PricePointSchema,
  ProbabilityVectorSchema,
  PROBABILITY_SUM_TOLERANCE,
  ScoredMarketSchema,
  type Forecast,
  type PathScores,
  type PricePoint,
  type ScoredMarket,
  type TimedProbabilities,
} from './types.ts';
export { sortByTime } from './collections.ts';
export { brierScore } from './brier.ts';
export { LOG_SCORE_EPSILON, logScore } from './log-score.ts';
export { heldForMs, pointsInWindow, type ScoringWindow } from './time-average.ts';
export { scorePath } from './path-scores.ts';
export { baselineScore, scoreComparably, type ComparableScores } from './comparable.ts';
export {
  scoreCrowd,
  scoreForecasterPaths,
  scoreForecasters,
  type CrowdMarketScore,
  type ForecasterMarketScore,
  type ForecasterPathScores,
} from './market-scores.ts';
export { scoreMarketMembers, type MemberMarketScore } from './member-scores.ts';
export { wilsonInterval } from './statistics.ts';
export {
  buildCalibrationTable,
  calibrationBucketIndex,
  CalibrationTallies,
  calibrationEntries,
  DEFAULT_CALIBRATION_BUCKET_COUNT,
  type CalibrationBucket,
  type CalibrationEntry,
  type CalibrationTable,
  type SparseTallies,
} from './calibration.ts';
export { summariseUsers, UserSummaryAccumulator, type UserSummary, type UserSummaryOptions } from './summary.ts';
