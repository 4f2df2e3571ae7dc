-- Forecasts stated with /forecast, without betting. Forecasts made by trading are not copied here: they are the
-- ledger's buy and sell rows (holder, at, prices_after), so the two can never disagree.
CREATE TABLE forecasts (
  id            INTEGER PRIMARY KEY,
  market_id     TEXT NOT NULL REFERENCES markets (id),
  user_id       TEXT NOT NULL,
  at            INTEGER NOT NULL,
  probabilities TEXT NOT NULL,          -- JSON array, one probability per outcome, summing to 1
  request_id    TEXT UNIQUE
) STRICT;

CREATE INDEX forecasts_by_market ON forecasts (market_id, at);
CREATE INDEX forecasts_by_user ON forecasts (user_id, market_id);

-- Scores are only reproducible if what was said stays said.
CREATE TRIGGER forecasts_refuse_updates BEFORE UPDATE ON forecasts
BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;

CREATE TRIGGER forecasts_refuse_deletes BEFORE DELETE ON forecasts
BEGIN SELECT RAISE(ABORT, 'forecasts are append-only'); END;
