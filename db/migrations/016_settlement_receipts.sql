-- A conditional reinstated after its condition was corrected trades again, and a refund its trader had already spent
-- is still theirs: each sale of it pays that back first. The sale reads what the market's settlements paid the
-- seller net, and only settlement rows are in these indexes (never a trade), so the sell path reads a handful of
-- entries, however long the market's history.
CREATE INDEX ledger_settlement_receipts ON ledger (market_id, to_account) WHERE reason IN ('payout', 'refund');
CREATE INDEX ledger_clawbacks ON ledger (market_id, from_account) WHERE reason = 'clawback';
