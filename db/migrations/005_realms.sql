-- Issue 10: every Discord server is a realm of its own, with its own markets, money and settings. Nothing is lost:
-- markets already carry their guild, and each member's credits move to a realm by new `migrate` ledger rows.

-- Markets: the realm they were opened in, and the slug members type (unique within the realm). A market's id stays
-- its storage key: the ledger, positions and forecasts keep referring to it. Markets without a guild are the console's.
ALTER TABLE markets ADD COLUMN realm TEXT NOT NULL DEFAULT 'console';
ALTER TABLE markets ADD COLUMN slug TEXT NOT NULL DEFAULT '';
UPDATE markets SET realm = COALESCE(guild_id, 'console'), slug = id;
CREATE UNIQUE INDEX markets_by_realm_slug ON markets (realm, slug);
DROP INDEX markets_by_guild;
CREATE INDEX markets_by_realm ON markets (realm, status);

-- Accounts: the realm whose credits they hold (null for the mint and for members' accounts from before realms), the
-- member a user account belongs to, and the profit a member had made in the realm's markets through their account
-- from before realms (that history stays on the old account; the leaderboard adds it back).
ALTER TABLE accounts ADD COLUMN realm TEXT;
ALTER TABLE accounts ADD COLUMN user_id TEXT;
ALTER TABLE accounts ADD COLUMN carried_profit INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET realm = (SELECT m.realm FROM markets m WHERE 'market:' || m.id = accounts.id) WHERE kind = 'market';
UPDATE accounts SET user_id = substr(id, length('user:') + 1) WHERE kind = 'user';
CREATE INDEX accounts_by_realm ON accounts (realm, kind);

-- The ledger needs the `migrate` reason. SQLite cannot alter a CHECK, so the table is rebuilt once more with its rows
-- and ids as they are, and the list of reasons moves to a trigger, which a later reason can replace without a rebuild.
CREATE TABLE ledger_rebuilt (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  from_account TEXT NOT NULL REFERENCES accounts (id),
  to_account   TEXT NOT NULL REFERENCES accounts (id),
  amount       INTEGER NOT NULL CHECK (amount >= 0),
  reason       TEXT NOT NULL,
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

CREATE TRIGGER ledger_refuses_updates BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TRIGGER ledger_refuses_deletes BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TRIGGER ledger_knows_reasons BEFORE INSERT ON ledger
WHEN NEW.reason NOT IN ('grant', 'allowance', 'subsidy', 'buy', 'sell', 'payout', 'refund', 'settle', 'clawback', 'correction', 'migrate')
BEGIN SELECT RAISE(ABORT, 'unknown ledger reason'); END;

-- Each member's flows with each realm's markets through their old account: what they traded there (to choose their
-- home realm) and what they made there (carried into the leaderboard).
CREATE TEMP TABLE member_realms (
  user_id TEXT NOT NULL,
  realm   TEXT NOT NULL,
  carried INTEGER NOT NULL,
  volume  INTEGER NOT NULL,
  PRIMARY KEY (user_id, realm)
);
INSERT INTO member_realms (user_id, realm, carried, volume)
SELECT substr(flows.account, length('user:') + 1), m.realm, SUM(flows.delta), SUM(flows.volume)
FROM (
  SELECT to_account AS account, market_id, amount AS delta, CASE WHEN reason IN ('buy', 'sell') THEN amount ELSE 0 END AS volume
  FROM ledger WHERE market_id IS NOT NULL AND to_account LIKE 'user:%'
  UNION ALL
  SELECT from_account, market_id, -amount, CASE WHEN reason IN ('buy', 'sell') THEN amount ELSE 0 END
  FROM ledger WHERE market_id IS NOT NULL AND from_account LIKE 'user:%'
) flows
JOIN markets m ON m.id = flows.market_id
GROUP BY 1, 2;

-- A member's home realm, where their balance goes: the realm where they traded the most credits (ties: the lowest
-- realm id); a member who never traded goes to the realm with the most markets, or to the console when there is none.
CREATE TEMP TABLE home_realms (user_id TEXT PRIMARY KEY, realm TEXT NOT NULL);
INSERT INTO home_realms (user_id, realm)
SELECT a.user_id, COALESCE(
  (SELECT r.realm FROM member_realms r WHERE r.user_id = a.user_id ORDER BY r.volume DESC, r.realm LIMIT 1),
  (SELECT m.realm FROM markets m GROUP BY m.realm ORDER BY COUNT(*) DESC, m.realm LIMIT 1),
  'console')
FROM accounts a WHERE a.kind = 'user';

-- One account per member in every realm where they traded, and in their home realm. They count as enrolled there
-- (allowance day carried over), so nobody is granted a second starting grant for money they already had.
INSERT INTO accounts (id, kind, display_name, balance, allowance_day, created_at, realm, user_id, carried_profit)
SELECT 'user:' || places.realm || ':' || places.user_id, 'user', a.display_name, 0, a.allowance_day, a.created_at,
  places.realm, places.user_id, places.carried
FROM (
  SELECT user_id, realm, carried FROM member_realms
  UNION ALL
  SELECT h.user_id, h.realm, 0 FROM home_realms h
  WHERE NOT EXISTS (SELECT 1 FROM member_realms r WHERE r.user_id = h.user_id AND r.realm = h.realm)
) places
JOIN accounts a ON a.id = 'user:' || places.user_id;

-- Where the realms' ledger begins: rows before it were written when members had one account for every server, and
-- are the only ones allowed to move credits between such an account and a realm's market (verify checks this).
CREATE TABLE realms_began (first_ledger_id INTEGER NOT NULL) STRICT;
INSERT INTO realms_began (first_ledger_id) SELECT COALESCE(MAX(id), 0) + 1 FROM ledger;

-- The balances move by ledger rows; the history before them stays as it was.
CREATE TEMP TABLE moves (from_id TEXT NOT NULL, to_id TEXT PRIMARY KEY, amount INTEGER NOT NULL);
INSERT INTO moves (from_id, to_id, amount)
SELECT a.id, 'user:' || h.realm || ':' || a.user_id, a.balance
FROM accounts a JOIN home_realms h ON h.user_id = a.user_id
WHERE a.kind = 'user' AND a.realm IS NULL AND a.balance > 0;

INSERT INTO ledger (at, from_account, to_account, amount, reason)
SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), from_id, to_id, amount, 'migrate' FROM moves ORDER BY from_id;

UPDATE accounts SET balance = balance + (SELECT amount FROM moves WHERE to_id = accounts.id) WHERE id IN (SELECT to_id FROM moves);
UPDATE accounts SET balance = 0 WHERE id IN (SELECT from_id FROM moves);

DROP TABLE moves;
DROP TABLE home_realms;
DROP TABLE member_realms;

-- Per-server settings: a stored value overrides the environment's default for that server only.
CREATE TABLE realm_settings (
  realm      TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,            -- JSON
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (realm, key)
) STRICT, WITHOUT ROWID;

-- Every change of a setting: who, when, and old -> new (NULL: the environment's default).
CREATE TABLE realm_setting_changes (
  id         INTEGER PRIMARY KEY,
  realm      TEXT NOT NULL,
  key        TEXT NOT NULL,
  old_value  TEXT,
  new_value  TEXT,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL
) STRICT;

CREATE INDEX realm_setting_changes_by_realm ON realm_setting_changes (realm, id);
