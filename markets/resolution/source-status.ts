import type { SourceCheck } from '../sources/index.ts';

/** A source failing this long is taken to the moderators (once per failing spell). */
export const FAILURE_REPORT_AFTER_MS = 24 * 60 * 60 * 1000;

/** A link's last check, in words: ok at some time, or failing since some time and why. */
export interface SourceStatus {
  linkId: number;
  checkedAt: number;
  /** Null until a check succeeds. */
  lastOkAt: number | null;
  /** Null while the source answers. */
  failingSince: number | null;
  /** "HTTP 503", "not found", "Metaculus refused: token missing or invalid"; null while the source answers. */
  failureReason: string | null;
  /** `due` once this failing spell has lasted long enough to report, `claimed` once it was taken to be posted. */
  reportState: 'due' | 'claimed' | null;
}

/** A link's status with the link it is of. */
export interface LinkStatus extends SourceStatus {
  url: string;
}

/** A failing spell long enough to tell the moderators of, with what they need to act on it. */
export interface FailureReport {
  linkId: number;
  marketId: string;
  url: string;
  kind: string;
  failingSince: number;
  reason: string;
}

/**
 * What one check makes of a link's status. A success ends a failing spell (and its report); a failure keeps the
 * spell's start, takes the newest reason, and marks the report due the first time the spell has lasted long enough —
 * decided here, with the check, so that the job only ever posts what is recorded.
 */
export function nextSourceStatus(previous: SourceStatus | undefined, linkId: number, check: SourceCheck, now: number): SourceStatus {
  if (check.kind !== 'error') {
    return { linkId, checkedAt: now, lastOkAt: now, failingSince: null, failureReason: null, reportState: null };
  }
  const failingSince = previous?.failingSince ?? now;
  const reportState = previous?.reportState ?? (now - failingSince >= FAILURE_REPORT_AFTER_MS ? 'due' : null);
  return { linkId, checkedAt: now, lastOkAt: previous?.lastOkAt ?? null, failingSince, failureReason: check.reason, reportState };
}
