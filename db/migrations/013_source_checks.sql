-- Issue 13: a linked source says when it fails. Each link's last check in words (ok at T, or failing since T and
-- why), and whether a failure that lasted too long has been taken to the moderators: once per failing spell.

CREATE TABLE source_checks (
  link_id        INTEGER PRIMARY KEY REFERENCES market_links (id),
  checked_at     INTEGER NOT NULL,
  last_ok_at     INTEGER,
  -- Set while the source fails: since when, and the reason in a few words ("HTTP 503", "not found").
  failing_since  INTEGER,
  failure_reason TEXT,
  -- 'due' once the spell has lasted long enough to report (decided with the check that found it); 'claimed' once
  -- the job took it to post, so a restart never posts it twice. Cleared when the source answers again.
  report_state   TEXT CHECK (report_state IN ('due', 'claimed')),
  CHECK ((failing_since IS NULL) = (failure_reason IS NULL)),
  CHECK (report_state IS NULL OR failing_since IS NOT NULL)
) STRICT;

CREATE INDEX source_checks_reports ON source_checks (report_state) WHERE report_state IS NOT NULL;
