-- A request id answers one member's one question: the member and a fingerprint of what was asked are kept with its
-- result, so a reuse by someone else, or for another command, is refused instead of replaying another's result.
-- Rows kept before this have neither and replay as they did.
ALTER TABLE requests ADD COLUMN user_id TEXT;
ALTER TABLE requests ADD COLUMN fingerprint TEXT;
