-- Issue 13: a market can resolve to a probability, each outcome's share paying its percent of a credit. Both a
-- market's resolution and every settlement keep the whole distribution: whole percents per outcome, in outcome
-- order, summing to 100, as a JSON array (NULL for a cancellation). A resolution stored before this migration was
-- certain of its outcome: 100 on it, 0 on every other.
ALTER TABLE markets ADD COLUMN resolved_probabilities TEXT CHECK (resolved_probabilities IS NULL OR json_valid(resolved_probabilities));
ALTER TABLE settlements ADD COLUMN probabilities TEXT CHECK (probabilities IS NULL OR json_valid(probabilities));
-- A source's verdict to a probability (Manifold's MKT) is an ordinary outcome proposal carrying its percents; NULL: certain.
ALTER TABLE proposals ADD COLUMN probabilities TEXT CHECK (probabilities IS NULL OR json_valid(probabilities));

UPDATE markets SET resolved_probabilities = (
  SELECT json_group_array(CASE WHEN o.key = markets.resolved_outcome THEN 100 ELSE 0 END)
  FROM (SELECT key FROM json_each(markets.outcomes) ORDER BY key) o
) WHERE resolved_outcome IS NOT NULL;

UPDATE settlements SET probabilities = (
  SELECT json_group_array(CASE WHEN o.key = settlements.outcome THEN 100 ELSE 0 END)
  FROM (SELECT key FROM json_each((SELECT outcomes FROM markets WHERE markets.id = settlements.market_id)) ORDER BY key) o
) WHERE outcome IS NOT NULL;
