-- Accounts hold integer milli-credits. Only the mint may go below zero: its balance is minus all credits minted.
CREATE TABLE accounts (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('mint', 'user', 'market')),
  display_name  TEXT,
  balance       INTEGER NOT NULL DEFAULT 0,
  allowance_day TEXT,
  created_at    INTEGER NOT NULL,
  CHECK (kind = 'mint' OR balance >= 0)
) STRICT;

INSERT INTO accounts (id, kind, display_name, balance, created_at) VALUES ('mint', 'mint', 'Crux mint', 0, 0);

CREATE TABLE markets (
  id                  TEXT PRIMARY KEY,
  guild_id            TEXT,
  channel_id          TEXT,
  message_id          TEXT,
  question            TEXT NOT NULL,
  criteria            TEXT NOT NULL,
  outcomes            TEXT NOT NULL,          -- JSON array of names
  liquidity           REAL NOT NULL CHECK (liquidity > 0),
  opening_shares      TEXT NOT NULL,          -- JSON array of floats: the LMSR q at opening
  outstanding         TEXT NOT NULL,          -- JSON array of integer milli-shares held by traders
  subsidy             INTEGER NOT NULL CHECK (subsidy >= 0),
  status              TEXT NOT NULL CHECK (status IN ('open', 'closed', 'resolved', 'cancelled')),
  created_by          TEXT NOT NULL,
  created_at          INTEGER NOT NULL,
  closes_at           INTEGER NOT NULL,
  closed_at           INTEGER,
  resolved_outcome    INTEGER,
  resolved_by         TEXT,
  resolution_evidence TEXT,
  resolved_at         INTEGER,
  tags                TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE INDEX markets_by_status ON markets (status, closes_at);
CREATE INDEX markets_by_guild ON markets (guild_id, status);

CREATE TABLE market_links (
  id        INTEGER PRIMARY KEY,
  market_id TEXT NOT NULL REFERENCES markets (id),
  url       TEXT NOT NULL,
  kind      TEXT NOT NULL,
  added_by  TEXT NOT NULL,
  added_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX market_links_by_market ON market_links (market_id);

-- The append-only ledger: every movement of credits, and with it every change of shares.
CREATE TABLE ledger (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  from_account TEXT NOT NULL REFERENCES accounts (id),
  to_account   TEXT NOT NULL REFERENCES accounts (id),
  amount       INTEGER NOT NULL CHECK (amount >= 0),
  reason       TEXT NOT NULL CHECK (reason IN ('grant', 'allowance', 'subsidy', 'buy', 'sell', 'payout', 'refund', 'settle')),
  market_id    TEXT REFERENCES markets (id),
  holder       TEXT,
  outcome      INTEGER,
  shares       INTEGER,
  prices_after TEXT,
  request_id   TEXT,
  CHECK (from_account <> to_account),
  CHECK ((holder IS NULL) = (shares IS NULL) AND (shares IS NULL) = (outcome IS NULL))
) STRICT;

CREATE INDEX ledger_by_market ON ledger (market_id, id);
CREATE INDEX ledger_by_holder ON ledger (holder, market_id);

CREATE TRIGGER ledger_refuses_updates BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TRIGGER ledger_refuses_deletes BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- Holdings per trader, kept in step with the ledger's share columns (and rebuildable from them).
CREATE TABLE positions (
  market_id TEXT NOT NULL REFERENCES markets (id),
  user_id   TEXT NOT NULL,
  outcome   INTEGER NOT NULL,
  shares    INTEGER NOT NULL CHECK (shares >= 0),
  PRIMARY KEY (market_id, user_id, outcome)
) STRICT;

CREATE INDEX positions_by_user ON positions (user_id);

-- Requests already applied (Discord interaction ids), with the result they produced.
CREATE TABLE requests (
  id     TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  at     INTEGER NOT NULL
) STRICT;
