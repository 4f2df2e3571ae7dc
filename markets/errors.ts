/** What went wrong, in words a Discord user can act on. Every refusal of the engine is one of these. */
export type CruxErrorCode =
  | 'invalid_input'
  | 'unknown_market'
  | 'unknown_outcome'
  | 'market_exists'
  | 'market_not_open'
  | 'market_not_closed'
  | 'market_settled'
  | 'insufficient_balance'
  | 'insufficient_shares'
  | 'amount_too_small'
  | 'slippage'
  | 'not_moderator'
  | 'recusal_required'
  | 'quorum_required'
  | 'rate_limited'
  | 'request_reused'
  | 'limit_reached'
  | 'read_only'
  | 'storage_full'
  | 'storage_busy'
  | 'storage_lost';

export class CruxError extends Error {
  override readonly name = 'CruxError';

  constructor(
    readonly code: CruxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isCruxError(error: unknown): error is CruxError {
  return error instanceof CruxError;
}

/** What a thrown value says, for a log line or an operator: anything can be thrown, not only an Error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: CruxError };
