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
  order:
    'Every forecast has a sequence number (seq) in the order it was committed: a trade has seq = its ledger entry_id * 1000000; ' +
    'a stated forecast has the next number after max(the last ledger entry_id committed before it * 1000000, the last stated seq). ' +
    'Forecasts are taken in time order, and on equal times in seq order; of one user\'s forecasts at the same time the last in seq order holds.',
  scoredMarkets:
    'Only resolved markets are scored. Cancelled and unresolved markets are never scored, and forecasts on them are ignored.',
  probabilityResolution:
    'A market resolved to a probability (resolved_probabilities, e.g. [0.7, 0.3]; each share of outcome i paid p_i credits, rounded ' +
    'down per holder to a milli-credit) is scored with o_i = p_i in place of the 0 or 1 of an outcome that did or did not happen: Brier ' +
    'with o = p, the log score and everything built on ln p (baseline, peer) as its expectation, the sum over outcomes of p_i ln q_i ' +
    '(outcomes with p_i = 0 add nothing). A resolution certain of one outcome (one p_i = 1) is an ordinary resolution to it.',
  scoringWindow:
    "A market's scoring window runs from its creation (created_at) to the end of trading: the earlier of its scheduled close " +
    '(closes_at) and the moment it actually closed (closed_at; resolved_at when it has none). Forecasts after the end are ignored. ' +
    "For the time-averaged Brier and log scores a user's window starts at their first forecast (the crowd's at the first price " +
    'point); a forecast made before created_at counts from created_at.',
  brier:
    'Brier score, lower is better. Binary markets (2 outcomes): (p - o)^2 in [0, 1], where p is the probability of the ' +
    'first outcome and o is 1 if the first outcome happened, else 0 (its resolved probability for a probability resolution). ' +
    'Markets with 3 or more outcomes: the sum over outcomes of (p_i - o_i)^2, in [0, 2].',
  logScore:
    'Log score: the natural log of the probability given to the outcome that happened, <= 0, 0 is best (for a probability ' +
    'resolution the expected log score, sum_i o_i ln p_i). ' +
    `Probabilities are clamped to at least ${LOG_SCORE_EPSILON}, so certainty on the wrong outcome scores ` +
    `ln(${LOG_SCORE_EPSILON}) = ${Math.log(LOG_SCORE_EPSILON).toFixed(2)}, not -infinity. Every score built on ln p uses the same clamp.`,
  timeAveraged:
    'Time-averaged score: each forecast scored, weighted by how long it held (until the next forecast or the end of the window) ' +
    "within the user's window. If that window has zero length (the first forecast is at the end) it is the final score.",
  final: 'Final score: the score of the last forecast at or before the end of the window (on equal times, the last in seq order).',
  coverage:
    'Coverage: the share of the whole window (created_at to its end) in which the user had a forecast standing. Baseline and peer ' +
    'scores are averaged over the whole window and count 0 before the first forecast, so a late forecast earns only for the time it ' +
    'stood (as Metaculus does). A window of zero length counts as one millisecond.',
  baselineScore:
    "Baseline score (Metaculus): 100 * (ln p + ln n) / ln n for the probability p given to the outcome that happened on a market " +
    'of n outcomes: 0 for the uniform forecast 1/n on any n, 100 for certainty on the right outcome; time-averaged over the whole ' +
    'window with coverage. Higher is better. For a probability resolution ln p is the expected log score sum_i o_i ln p_i.',
  peerScore:
    'Peer score (Metaculus): at each moment, 100 * (ln p minus the mean of ln p over the other users with a forecast standing then; 0 ' +
    'while no one else has one), time-averaged over the whole window with coverage. The peer scores of a market add up to 0 when ' +
    'everyone forecasts throughout. Higher is better. For a probability resolution each ln p is the expected log score sum_i o_i ln p_i, ' +
    'so the peer score is the expected one too.',
  relativeBrier:
    "Relative Brier (Fatebook): at each moment, the user's Brier minus the median Brier of all users with a forecast standing then, " +
    'the user included (mean of the two middle values for an even count), averaged over the time the user had a forecast standing ' +
    '(a forecast made only at the end of the window: its Brier minus the median of the forecasts standing then). Negative beats the median.',
  calibration:
    'Calibration table: every forecast at or before the end of the window on a scored market contributes, for binary markets, the ' +
    'probability of the first outcome (o = 1 if it happened); for 3 or more outcomes, one entry per outcome (o = 1 for the ' +
    'outcome that happened). With k buckets of width 1/k, p goes to bucket floor(p * k), and p = 1 to the last bucket, ' +
    'so buckets are [i/k, (i+1)/k) and the last is [(k-1)/k, 1]. Each bucket reports its count, mean forecast, ' +
    'observed frequency (share of entries with o = 1) and the 90% Wilson score interval of that frequency (z = 1.6449). On a market ' +
    'resolved to a probability an entry counts o = its outcome\'s resolved probability as its share of having happened (70% Yes: ' +
    '0.7 of an entry happened), in the observed frequency and the interval alike.',
  means:
    "A user's figures are means over the scored markets they forecast, one value per market, whatever the number of forecasts.",
  settlements:
    'Settlements (markets export): every decision to resolve or cancel a market, oldest first, in settlements_decided_by (the ' +
    "moderator's user id), settlements_decider_held_position (1 if they held shares of the market, or traded it within the server's " +
    'recusal_days, when deciding) and settlements_status (applied, pending in its dispute window, or superseded by a later decision). ' +
    'Markets settled before settlements were recorded have none.',
  crowd:
    "Crowd score: the market's own price path scored as one forecaster, time-averaged over [first price point, end of the window], and final.",
} as const;
