import { DiscordAPIError, HTTPError, RESTJSONErrorCodes } from 'discord.js';

/**
 * Whether Discord refused a request for good, for reasons that are the server's or the member's to change (no
 * permission, a channel gone, DMs closed): those are expected and change what Crux does, never an error to log.
 */
export function isRefusal(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && (error.status === 403 || error.status === 404);
}

/** A server's most active threads (1,000; 1,000 announcement threads): reached, until some of them archive. */
const THREAD_LIMITS: ReadonlySet<unknown> = new Set([RESTJSONErrorCodes.MaximumActiveThreads, RESTJSONErrorCodes.MaximumActiveAnnouncementThreads]);

/** Whether Discord refused to open a thread only because the server has as many active threads as it may, for now. */
export function atThreadLimit(error: unknown): boolean {
  return error instanceof DiscordAPIError && THREAD_LIMITS.has(error.code);
}

/**
 * Whether Discord turned a request down in a way asking again will not change: any 4xx but a rate limit (which
 * discord.js waits out itself) and a server's thread limit (which clears as threads archive). Wider than
 * `isRefusal`, for a request whose every other failure of that kind means "no".
 */
export function refusesOutright(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429 && !atThreadLimit(error);
}

/** Node's and undici's codes for a connection that failed or broke (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, …). */
const CONNECTION_FAILURE = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

function codeOf(error: Error): unknown {
  if ('code' in error) return error.code;
  return error.cause instanceof Error && 'code' in error.cause ? error.cause.code : undefined;
}

/**
 * Whether a request went unanswered rather than refused: a 5xx (after discord.js's own retries), its timeout, or a
 * connection that failed. The same request may well succeed later.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof HTTPError || error instanceof DiscordAPIError) return error.status >= 500;
  if (!(error instanceof Error)) return false;
  const code = codeOf(error);
  return error.name === 'AbortError' || (typeof code === 'string' && CONNECTION_FAILURE.test(code));
}
