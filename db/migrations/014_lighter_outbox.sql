-- Every bet queues its line for the market's thread in the outbox, and claiming and posting the line rewrite its
-- state twice. Both indexes below held every thread line ever queued, and each change of state moved the line's
-- entries: measured through the bot, 2.5 of the 11.6 WAL pages a bet wrote. Only DMs are looked up by state and due
-- time, and thread lines only while they wait, so each index now holds just those rows: a thread line leaves the
-- second one when it is claimed, and neither grows with the server's history.
DROP INDEX outbox_by_state;
CREATE INDEX outbox_due_dms ON outbox (state, due_at) WHERE target = 'dm';

DROP INDEX outbox_by_market;
CREATE INDEX outbox_waiting_lines ON outbox (market_id, id) WHERE target = 'thread' AND state = 'pending';
