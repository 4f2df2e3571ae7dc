-- A trade wrote two rows for its market: the market's own, for the shares outstanding, the volume and the count of
-- traders, and the market's account, for the credits it holds; two pages of every trade's commit, one of them a wide
-- row (question, criteria…) rewritten whole. The market's account is its market maker, and what it has sold and to how
-- many is its book: kept on that account beside its credits, a trade writes one row for its market.
ALTER TABLE accounts ADD COLUMN outstanding TEXT CHECK (outstanding IS NULL OR json_valid(outstanding)); -- market accounts: JSON array of integer milli-shares held by traders
ALTER TABLE accounts ADD COLUMN volume INTEGER;   -- market accounts: credits traded
ALTER TABLE accounts ADD COLUMN traders INTEGER;  -- market accounts: members who ever traded

-- Every market has its account (it is opened with it); one that lost it gets an empty one, so its book is not lost
-- and verification names what is missing.
INSERT INTO accounts (id, kind, realm, display_name, balance, created_at)
SELECT 'market:' || id, 'market', realm, slug, 0, created_at FROM markets m
WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = 'market:' || m.id);

UPDATE accounts SET outstanding = m.outstanding, volume = m.volume, traders = m.traders
FROM markets m WHERE accounts.id = 'market:' || m.id;

ALTER TABLE markets DROP COLUMN outstanding;
ALTER TABLE markets DROP COLUMN volume;
ALTER TABLE markets DROP COLUMN traders;
