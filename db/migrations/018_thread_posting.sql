-- A market's thread lines are posted by whichever process claims them: the shard of the market's server after a
-- trade, the jobs' process after a reminder. A claim while another process was still posting its batch could post
-- later lines first, so the thread keeps when a batch was claimed until its post is done, and another batch of the
-- same market waits for it (or, if its process died, for a while).
ALTER TABLE market_threads ADD COLUMN posting_since INTEGER;
