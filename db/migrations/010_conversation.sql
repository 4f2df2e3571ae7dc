-- Issue 14: the claim's conversation. Evidence with stances, careful edits, a thread per market, and notifications
-- sent from an outbox written in the same transaction as what they tell of.

-- Evidence members attach to a market, numbered per market (#1, #2, …) so a resolution can cite it. A hidden item
-- stays in the record with who hid it and why.
CREATE TABLE evidence (
  id            INTEGER PRIMARY KEY,
  market_id     TEXT NOT NULL REFERENCES markets (id),
  number        INTEGER NOT NULL CHECK (number >= 1),
  url           TEXT NOT NULL,
  stance        TEXT NOT NULL CHECK (stance IN ('for', 'against', 'context')),
  note          TEXT CHECK (note IS NULL OR length(note) <= 300),
  added_by      TEXT NOT NULL,
  added_at      INTEGER NOT NULL,
  -- The market's prices when the item was added, as a JSON array.
  prices_then   TEXT NOT NULL,
  hidden_by     TEXT,
  hidden_at     INTEGER,
  hidden_reason TEXT,
  UNIQUE (market_id, number),
  CHECK ((hidden_by IS NULL) = (hidden_at IS NULL) AND (hidden_at IS NULL) = (hidden_reason IS NULL))
) STRICT;

-- Every change of a market's question, criteria, close time or tags: who, when, the field, old and new, and why.
CREATE TABLE market_edits (
  id        INTEGER PRIMARY KEY,
  market_id TEXT NOT NULL REFERENCES markets (id),
  field     TEXT NOT NULL CHECK (field IN ('question', 'criteria', 'closes_at', 'tags')),
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  reason    TEXT,
  edited_by TEXT NOT NULL,
  edited_at INTEGER NOT NULL
) STRICT;
CREATE INDEX market_edits_by_market ON market_edits (market_id, id);

-- The thread opened on a market's card; thread_id is null where it could not be opened (no permission).
CREATE TABLE market_threads (
  market_id  TEXT PRIMARY KEY REFERENCES markets (id),
  thread_id  TEXT,
  created_at INTEGER NOT NULL
) STRICT;

-- What is to be said about a market, in its thread or to one member by DM. Rows are written by the use case that
-- decides them; a sender claims a row (sending) before it talks to Discord and marks it sent after, so a restart
-- never says anything twice. `notices` is a JSON array; DMs to one member about one market coalesce into one row.
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY,
  realm      TEXT NOT NULL,
  market_id  TEXT NOT NULL REFERENCES markets (id),
  target     TEXT NOT NULL CHECK (target IN ('thread', 'dm')),
  user_id    TEXT,
  notices    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  due_at     INTEGER NOT NULL,
  state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'dropped')),
  sent_at    INTEGER,
  CHECK ((target = 'dm') = (user_id IS NOT NULL))
) STRICT;
CREATE INDEX outbox_by_state ON outbox (state, due_at);
CREATE INDEX outbox_by_recipient ON outbox (user_id, market_id, id) WHERE target = 'dm';
CREATE INDEX outbox_by_market ON outbox (market_id, state) WHERE target = 'thread';

-- A member's notification switches in one server; a kind without a row is on.
CREATE TABLE notification_settings (
  realm   TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind    TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  PRIMARY KEY (realm, user_id, kind)
) STRICT;

CREATE TABLE market_followers (
  market_id   TEXT NOT NULL REFERENCES markets (id),
  user_id     TEXT NOT NULL,
  followed_at INTEGER NOT NULL,
  PRIMARY KEY (market_id, user_id)
) STRICT;

-- When a scheduled reminder about a market was last decided (closing soon, a big move, closed and unresolved), so
-- each is decided once per its period however often the job runs.
CREATE TABLE market_reminders (
  market_id TEXT NOT NULL REFERENCES markets (id),
  kind      TEXT NOT NULL,
  at        INTEGER NOT NULL,
  PRIMARY KEY (market_id, kind)
) STRICT;

-- The one-line reasons traders gave for moving a price a lot, one per trade (by the trade's request id).
CREATE TABLE move_reasons (
  request_id TEXT PRIMARY KEY,
  market_id  TEXT NOT NULL REFERENCES markets (id),
  user_id    TEXT NOT NULL,
  reason     TEXT NOT NULL,
  at         INTEGER NOT NULL
) STRICT;
