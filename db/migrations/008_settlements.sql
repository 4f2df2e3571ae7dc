-- Issue 13: a resolution or cancellation is a settlement that may wait out a dispute window before money moves.
-- Every settlement decided from now on has a row; one applied at once (a window of 0) is recorded as applied.
CREATE TABLE settlements (
  id                    INTEGER PRIMARY KEY,
  market_id             TEXT NOT NULL REFERENCES markets (id),
  outcome               INTEGER,                 -- the winning outcome's index; NULL cancels the market
  decided_by            TEXT NOT NULL,
  evidence              TEXT NOT NULL,
  decided_at            INTEGER NOT NULL,
  window_ends_at        INTEGER NOT NULL,
  -- Whether the decider held shares of the market when deciding (shown beside the decision).
  decider_held_position INTEGER NOT NULL CHECK (decider_held_position IN (0, 1)),
  status                TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'superseded')),
  -- Set in the transaction that moves the money: a settlement is applied at most once.
  applied_at            INTEGER,
  -- Above the server's quorum pool, a second, different moderator must confirm the same verdict before the window
  -- starts; until then nothing is paid.
  needs_second          INTEGER NOT NULL CHECK (needs_second IN (0, 1)),
  seconded_by           TEXT,
  -- Who ended the window early (NULL: the window ran out, or there was none).
  upheld_by             TEXT,
  -- Set once the settlement's result has been posted; an applied row without it is posted by the next job run.
  announced_at          INTEGER,
  CHECK ((status = 'applied') = (applied_at IS NOT NULL)),
  CHECK (status <> 'applied' OR needs_second = 0 OR seconded_by IS NOT NULL)
) STRICT;

-- A market has at most one settlement waiting: a new decision supersedes the one before.
CREATE UNIQUE INDEX settlements_one_pending ON settlements (market_id) WHERE status = 'pending';
CREATE INDEX settlements_by_window ON settlements (status, window_ends_at);
CREATE INDEX settlements_by_market ON settlements (market_id, id);

-- A trader's challenge of one settlement, at most one per trader per settlement.
CREATE TABLE disputes (
  id            INTEGER PRIMARY KEY,
  settlement_id INTEGER NOT NULL REFERENCES settlements (id),
  user_id       TEXT NOT NULL,
  reason        TEXT NOT NULL,
  evidence      TEXT,
  created_at    INTEGER NOT NULL,
  -- open: waits for a moderator; overruled: the settlement was upheld; superseded: a new decision replaced it.
  status        TEXT NOT NULL CHECK (status IN ('open', 'overruled', 'superseded')),
  -- Set once the moderators have been told; an unset one is posted by the next job run.
  notified_at   INTEGER,
  UNIQUE (settlement_id, user_id)
) STRICT;

CREATE INDEX disputes_unnotified ON disputes (notified_at) WHERE notified_at IS NULL;
