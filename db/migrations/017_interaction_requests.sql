-- A trade's request row was a fifth of its commit: rows of a WITHOUT ROWID table keyed by text, which SQLite cannot
-- append on the right edge as it does a rowid table's, so every few trades its right-hand leaves were rebalanced and
-- 1.7 pages a trade were written. Discord's interaction ids are snowflakes, integers that only grow, so requests
-- keyed by one are kept by that integer as the rowid: one page a trade. Other request ids (the console's, a host
-- bot's own) stay in `requests`.
CREATE TABLE interaction_requests (
  id          INTEGER PRIMARY KEY,
  result      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  user_id     TEXT,
  fingerprint TEXT
) STRICT;

-- The snowflakes among the kept ids: digits only, no leading zero, and within SQLite's 64-bit integers.
INSERT INTO interaction_requests (id, result, at, user_id, fingerprint)
SELECT CAST(id AS INTEGER), result, at, user_id, fingerprint FROM requests
WHERE id GLOB '[1-9]*' AND id NOT GLOB '*[^0-9]*' AND (length(id) < 19 OR (length(id) = 19 AND id <= '9223372036854775807'));

-- Each moved id's text is its integer's, with no leading zero to lose.
DELETE FROM requests WHERE id IN (SELECT CAST(id AS TEXT) FROM interaction_requests);
