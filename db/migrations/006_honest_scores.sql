-- One order for every forecast: a trade's place is its ledger id, and a stated forecast takes the next number after
-- the ledger's high-water mark when it commits (see SCORING_DEFINITIONS.order). Stated forecasts kept before this get
-- their place after every ledger entry at or before their time, the order scoring gave them until now.
ALTER TABLE forecasts ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE forecasts ADD COLUMN display_name TEXT;

DROP TRIGGER forecasts_refuse_updates;
UPDATE forecasts SET seq = 1000000 * COALESCE((SELECT MAX(l.id) FROM ledger l WHERE l.at <= forecasts.at), 0) + id;
CREATE TRIGGER forecasts_refuse_updates BEFORE UPDATE ON forecasts
BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;

CREATE UNIQUE INDEX forecasts_by_seq ON forecasts (seq);
DROP INDEX forecasts_by_market;
CREATE INDEX forecasts_by_market ON forecasts (market_id, at, seq);

-- A member's profit is their balance minus the credits that came from no market (grants, allowances): these partial
-- indexes find those few rows per member, and trades, which always name a market, never write to them.
CREATE INDEX ledger_unmarketed_to ON ledger (to_account) WHERE market_id IS NULL;
CREATE INDEX ledger_unmarketed_from ON ledger (from_account) WHERE market_id IS NULL;

-- Each member's scores on each resolved market, written when it settles and rewritten when it is corrected, so that
-- boards and /calibration read rows instead of rescoring every forecast. calibration: JSON [bucket, count, sum, happened].
CREATE TABLE member_market_scores (
  market_id       TEXT NOT NULL REFERENCES markets (id),
  user_id         TEXT NOT NULL,
  brier           REAL NOT NULL,
  log_score       REAL NOT NULL,
  final_brier     REAL NOT NULL,
  final_log_score REAL NOT NULL,
  relative_brier  REAL NOT NULL,
  baseline_score  REAL NOT NULL,
  peer_score      REAL NOT NULL,
  coverage        REAL NOT NULL,
  calibration     TEXT NOT NULL,
  PRIMARY KEY (market_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX member_market_scores_by_user ON member_market_scores (user_id, market_id);

-- Per member, the means of those rows over every market of one guild (scope = the guild id) or of all guilds
-- (scope = '*'), recomputed from the rows for the members a settlement touches.
CREATE TABLE member_score_totals (
  scope           TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  markets         INTEGER NOT NULL CHECK (markets > 0),
  brier           REAL NOT NULL,
  log_score       REAL NOT NULL,
  final_brier     REAL NOT NULL,
  final_log_score REAL NOT NULL,
  relative_brier  REAL NOT NULL,
  baseline_score  REAL NOT NULL,
  peer_score      REAL NOT NULL,
  coverage        REAL NOT NULL,
  calibration     TEXT NOT NULL,
  PRIMARY KEY (scope, user_id)
) STRICT, WITHOUT ROWID;

-- One index per board, in the board's order, so its first rows are read without sorting every member.
CREATE INDEX member_score_totals_by_peer ON member_score_totals (scope, peer_score DESC, markets DESC, user_id);
CREATE INDEX member_score_totals_by_baseline ON member_score_totals (scope, baseline_score DESC, markets DESC, user_id);
CREATE INDEX member_score_totals_by_relative ON member_score_totals (scope, relative_brier, markets DESC, user_id);
CREATE INDEX member_score_totals_by_brier ON member_score_totals (scope, brier, markets DESC, user_id);
CREATE INDEX member_score_totals_by_log ON member_score_totals (scope, log_score DESC, markets DESC, user_id);

-- Which rules the stored scores were computed by; on opening, scores of older rules (0: none yet) are rebuilt.
CREATE TABLE scoring_state (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  rules INTEGER NOT NULL
) STRICT;
INSERT INTO scoring_state (id, rules) VALUES (1, 0);
