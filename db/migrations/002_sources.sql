-- Issue 4: links carry a parsed SourceRef, sources are polled, their verdicts become proposals moderators decide,
-- and a resolution can be corrected on the ledger.

-- The SourceRef (JSON, see markets/sources) behind each link; `kind` names its adapter. Links made before this
-- migration, or by a claim pack, have none yet: the poller parses their URL the first time it meets them.
ALTER TABLE market_links ADD COLUMN ref TEXT;

-- When each link is next checked, and what it said last time.
CREATE TABLE source_polls (
  link_id            INTEGER PRIMARY KEY REFERENCES market_links (id),
  last_check         TEXT,                       -- JSON SourceCheck
  last_checked_at    INTEGER,
  content_hash       TEXT,                       -- plain URLs: sha256 of the last body, to tell "changed"
  consecutive_errors INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_errors >= 0),
  next_poll_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX source_polls_due ON source_polls (next_poll_at);

-- What the sources say a market's resolution should be, waiting for (or decided by) a moderator.
CREATE TABLE proposals (
  id                 INTEGER PRIMARY KEY,
  market_id          TEXT NOT NULL REFERENCES markets (id),
  verdict            TEXT NOT NULL CHECK (verdict IN ('outcome', 'cancel', 'conflict', 'report')),
  outcome            INTEGER,
  -- Identifies the verdict so the same one is proposed once, whatever a moderator did with it.
  verdict_key        TEXT NOT NULL,
  basis              TEXT NOT NULL,              -- JSON: the links and checks behind the verdict
  evidence           TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'applied', 'conflict')),
  created_at         INTEGER NOT NULL,
  decided_by         TEXT,
  decided_at         INTEGER,
  auto_apply_at      INTEGER,
  message_channel_id TEXT,
  message_id         TEXT,
  CHECK ((verdict = 'outcome') = (outcome IS NOT NULL)),
  UNIQUE (market_id, verdict_key)
) STRICT;

CREATE INDEX proposals_auto_apply ON proposals (status, auto_apply_at);

-- Per guild: whether proposals from trusted source kinds apply themselves after a grace period.
CREATE TABLE guild_resolution_settings (
  guild_id      TEXT PRIMARY KEY,
  auto_apply    INTEGER NOT NULL CHECK (auto_apply IN (0, 1)),
  trusted_kinds TEXT NOT NULL,                   -- JSON array of source kinds
  grace_ms      INTEGER NOT NULL CHECK (grace_ms >= 0),
  updated_by    TEXT NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;

-- When moderators were last reminded of a market that closed and was never resolved.
CREATE TABLE market_nudges (
  market_id TEXT PRIMARY KEY REFERENCES markets (id),
  nudged_at INTEGER NOT NULL
) STRICT;

-- Correcting a resolution needs two more ledger reasons: `clawback` (a trader hands back settlement credits that the
-- corrected resolution no longer owes them) and `correction` (the mint funds a corrected settlement). SQLite cannot
-- alter a CHECK, so the ledger is rebuilt with its rows, ids, indexes and append-only triggers.
CREATE TABLE ledger_rebuilt (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  from_account TEXT NOT NULL REFERENCES accounts (id),
  to_account   TEXT NOT NULL REFERENCES accounts (id),
  amount       INTEGER NOT NULL CHECK (amount >= 0),
  reason       TEXT NOT NULL CHECK (reason IN ('grant', 'allowance', 'subsidy', 'buy', 'sell', 'payout', 'refund', 'settle', 'clawback', 'correction')),
  market_id    TEXT REFERENCES markets (id),
  holder       TEXT,
  outcome      INTEGER,
  shares       INTEGER,
  prices_after TEXT,
  request_id   TEXT,
  CHECK (from_account <> to_account),
  CHECK ((holder IS NULL) = (shares IS NULL) AND (shares IS NULL) = (outcome IS NULL))
) STRICT;

INSERT INTO ledger_rebuilt (id, at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after, request_id)
SELECT id, at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after, request_id FROM ledger;

-- Dropping a table drops its triggers without firing the delete trigger.
DROP TABLE ledger;
ALTER TABLE ledger_rebuilt RENAME TO ledger;

CREATE INDEX ledger_by_market ON ledger (market_id, id);
CREATE INDEX ledger_by_holder ON ledger (holder, market_id);

CREATE TRIGGER ledger_refuses_updates BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TRIGGER ledger_refuses_deletes BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
