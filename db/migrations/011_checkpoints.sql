-- Issue 16: start-up and every reply cost what they touch, not the age of the ledger.

-- The last verified point of the ledger: every balance, every market's outstanding shares and each realm's inflow as
-- of ledger row `ledger_id`, as canonical JSON with its sha256. Start-up verifies only the rows after it (db/verify.ts);
-- the scheduled full rebuild also checks the checkpoint against the rows it summarises. One row: the latest.
CREATE TABLE ledger_checkpoint (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  ledger_id  INTEGER NOT NULL CHECK (ledger_id >= 0),
  summary    TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  taken_at   INTEGER NOT NULL
) STRICT;

-- A market's card shows its volume and traders: kept on the market's row, which every trade already rewrites (its
-- outstanding shares), so they cost a trade's commit no page, instead of summing the market's ledger rows per card.
ALTER TABLE markets ADD COLUMN volume INTEGER NOT NULL DEFAULT 0;
ALTER TABLE markets ADD COLUMN traders INTEGER NOT NULL DEFAULT 0;
UPDATE markets SET
  volume = COALESCE((SELECT SUM(amount) FROM ledger l WHERE l.market_id = markets.id AND l.reason IN ('buy', 'sell')), 0),
  traders = (SELECT COUNT(DISTINCT holder) FROM ledger l WHERE l.market_id = markets.id AND l.reason IN ('buy', 'sell'));

-- The net of an account's rows that name no market (grants, allowances, the move into realms): the profit leaderboard
-- is balance minus this, read from the account's row instead of summing every such row of the ledger. Those rows are
-- rare, so keeping it costs trades nothing.
ALTER TABLE accounts ADD COLUMN off_market_net INTEGER NOT NULL DEFAULT 0;
CREATE TEMP TABLE off_market (account TEXT PRIMARY KEY, net INTEGER NOT NULL);
INSERT INTO off_market (account, net)
SELECT account, SUM(delta) FROM (
  SELECT to_account AS account, amount AS delta FROM ledger WHERE market_id IS NULL
  UNION ALL
  SELECT from_account, -amount FROM ledger WHERE market_id IS NULL
) GROUP BY account;
UPDATE accounts SET off_market_net = (SELECT net FROM off_market WHERE account = accounts.id) WHERE id IN (SELECT account FROM off_market);
DROP TABLE off_market;

-- Listing a realm's markets by status reads them in order from the index and stops at the page's end, instead of
-- sorting all of the realm's markets of that status. Close times and slugs never change by trading.
CREATE INDEX markets_listing ON markets (realm, status, closes_at, slug);
DROP INDEX markets_by_realm;

-- A score board across every realm names each member by any of their accounts: found by member, not by reading
-- every account for each row of the board.
CREATE INDEX accounts_by_user ON accounts (user_id);
