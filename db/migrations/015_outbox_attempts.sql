-- How many times sending an outbox entry failed for want of an answer from Discord (a 5xx, a timeout, a connection
-- reset): such an entry goes back to waiting, later each time, and is dropped after a few attempts. A refusal (no
-- permission, DMs closed) still drops it at once.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
