-- Issue 15: conditional markets. A market may be conditional on another market of its realm resolving to one
-- outcome; a crux pair also names the claim whose question each conditional asks again. Conditions are set when a
-- market opens and never change, so a row is written once.
CREATE TABLE market_conditions (
  market_id    TEXT PRIMARY KEY REFERENCES markets (id),
  condition_id TEXT NOT NULL REFERENCES markets (id),
  outcome      INTEGER NOT NULL CHECK (outcome >= 0),
  claim_id     TEXT REFERENCES markets (id)
);
CREATE INDEX market_conditions_by_condition ON market_conditions (condition_id);
CREATE INDEX market_conditions_by_claim ON market_conditions (claim_id);

-- Outside odds: what each linked platform traded the question at, in the market's outcome order, each time the
-- poller read it. Only shown (card, chart, export); never a price or a resolution.
CREATE TABLE outside_odds (
  id            INTEGER PRIMARY KEY,
  link_id       INTEGER NOT NULL REFERENCES market_links (id),
  market_id     TEXT NOT NULL REFERENCES markets (id),
  kind          TEXT NOT NULL,
  at            INTEGER NOT NULL,
  probabilities TEXT NOT NULL
);
CREATE INDEX outside_odds_by_market ON outside_odds (market_id, at);
