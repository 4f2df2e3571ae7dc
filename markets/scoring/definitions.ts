import { LOG_SCORE_EPSILON } from './log-score.ts';

/**
 * The words every export header, the README and the bot quote, so that what a score means is stated once.
 * Change a definition here and in the code it describes together.
 */

export const FORECAST_DEFINITION =
  "A user's forecast is the market probability right after each of their trades (the price they moved the market to), " +
  'or an explicit forecast they state without betting; it holds until replaced.';

export const SCORING_DEFINITIONS = {
  forecast: FORECAST_DEFINITION,
  scoredMarkets:
    'Only resolved markets are scored. Cancelled and unresolved markets are never scored, and forecasts on them are ignored.',
  scoringWindow:
    "A market's scoring window ends at closesAt, when trading stopped. Forecasts after closesAt are ignored. " +
    "A user's window starts at their first forecast (the crowd's at the first price point), never before openedAt.",
  brier:
    'Brier score, lower is better. Binary markets (2 outcomes): (p - o)^2 in [0, 1], where p is the probability of the ' +
    'first outcome and o is 1 if the first outcome happened, else 0. Markets with 3 or more outcomes: ' +
    'the sum over outcomes of (p_i - o_i)^2, in [0, 2].',
  logScore:
    'Log score: the natural log of the probability given to the outcome that happened, <= 0, 0 is best. ' +
    `Probabilities are clamped to at least ${LOG_SCORE_EPSILON}, so certainty on the wrong outcome scores ` +
    `ln(${LOG_SCORE_EPSILON}) = ${Math.log(LOG_SCORE_EPSILON).toFixed(2)}, not -infinity.`,
  timeAveraged:
    'Time-averaged score: each forecast scored, weighted by how long it held (until the next forecast or closesAt) ' +
    'within the scoring window. If the window has zero length (the first forecast is at closesAt) it is the final score.',
  final: 'Final score: the score of the last forecast at or before closesAt (on equal times, the later one in the record).',
  relativeBrier:
    "Relative Brier on a market: the user's time-averaged Brier minus the median of all forecasters' time-averaged Brier " +
    'on that market, the user included (mean of the two middle values for an even count). Negative is better than the median.',
  calibration:
    'Calibration table: every forecast at or before closesAt on a scored market contributes, for binary markets, the ' +
    'probability of the first outcome (o = 1 if it happened); for 3 or more outcomes, one entry per outcome (o = 1 for the ' +
    'outcome that happened). With k buckets of width 1/k, p goes to bucket floor(p * k), and p = 1 to the last bucket, ' +
    'so buckets are [i/k, (i+1)/k) and the last is [(k-1)/k, 1]. Each bucket reports its count, mean forecast and ' +
    'observed frequency (share of entries with o = 1).',
  crowd:
    "Crowd score: the market's own price path scored as one forecaster, time-averaged over [first price point, closesAt], and final.",
} as const;
