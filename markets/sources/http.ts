import type { z } from 'zod';
import { fetchGuarded } from './link-guard.ts';
import { describeIssues } from './ref.ts';
import type { SourceCheck, SourceHttp } from './types.ts';

/** Large enough for a Metaculus post with its whole forecast history; small enough that a hostile link cannot exhaust memory. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const JSON_ACCEPT = 'application/json';
const EXCERPT_LENGTH = 160;

/** Words for the failures every adapter shares, so people see the same reason whatever the platform. */
export const FAILURE_REASONS = {
  notFound: 'not found',
  notUnderstood: 'reply not understood',
  timedOut: 'timed out',
  tooLarge: 'reply too large',
  refusedLink: 'link refused',
} as const;

/**
 * A failed fetch: `reason` in a few words, `message` in full; `status` when the server did answer, so an adapter can
 * word a status that means something on its platform (Metaculus' 401/403 for a missing token).
 */
export interface FetchFailure {
  readonly ok: false;
  readonly message: string;
  readonly reason: string;
  readonly status?: number;
}

export type Fetched<T> = { readonly ok: true; readonly value: T } | FetchFailure;

export interface HttpReply {
  readonly status: number;
  readonly ok: boolean;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** `path` is relative and already encoded; a base with a path prefix (a mirror at /manifold/) keeps that prefix. */
export function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

/**
 * GETs a URL with the context's User-Agent and timeout. Any HTTP status is a reply; only a failure to get one
 * (refused connection, timeout, oversized body) is an error, worded for moderators and naming `sourceName`.
 */
export async function fetchReply(
  url: URL,
  http: SourceHttp,
  sourceName: string,
  accept: string,
): Promise<Fetched<HttpReply>> {
  const headers = new Headers(http.headers);
  headers.set('user-agent', http.userAgent);
  headers.set('accept', accept);
  try {
    // The signal also covers reading the body (and every redirect), so a server that stalls halfway still times out.
    const init = { headers, signal: AbortSignal.timeout(http.timeoutMs) };
    const fetched = http.linkGuard === undefined ? { ok: true as const, response: await http.fetch(url, init) } : await fetchGuarded(url, init, http.fetch, http.linkGuard);
    if (!fetched.ok) return { ...fetched, reason: FAILURE_REASONS.refusedLink };
    const { response } = fetched;
    const bytes = await readBodyWithinLimit(response);
    if (bytes === undefined) {
      return {
        ok: false,
        message: `${sourceName} sent more than ${MAX_BODY_BYTES / (1024 * 1024)} MiB from ${url}; not read.`,
        reason: FAILURE_REASONS.tooLarge,
      };
    }
    const text = new TextDecoder().decode(bytes);
    return { ok: true, value: { status: response.status, ok: response.ok, bytes, text } };
  } catch (error) {
    return describeFetchFailure(error, sourceName, url, http.timeoutMs);
  }
}

/** GETs JSON and validates it; a wrong status, unparsable body or unexpected shape each become a readable error. */
export async function fetchJson<Schema extends z.ZodType>(
  url: URL,
  http: SourceHttp,
  sourceName: string,
  schema: Schema,
): Promise<Fetched<z.output<Schema>>> {
  const reply = await fetchReply(url, http, sourceName, JSON_ACCEPT);
  if (!reply.ok) return reply;
  const { status, ok, text } = reply.value;
  if (!ok) {
    const hint = status === 404 ? ' (not found: check the link)' : '';
    return {
      ok: false,
      message: `${sourceName} answered HTTP ${status}${hint} for ${url}: ${excerpt(text)}`,
      reason: status === 404 ? FAILURE_REASONS.notFound : `HTTP ${status}`,
      status,
    };
  }
  const body = parseJson(text);
  if (!body.ok) return { ok: false, message: `${sourceName} sent a reply that is not valid JSON (${url}).`, reason: FAILURE_REASONS.notUnderstood };
  const result = schema.safeParse(body.value);
  if (!result.success) {
    return {
      ok: false,
      message: `${sourceName} replied in a shape we do not understand (${url}): ${describeIssues(result.error.issues)}.`,
      reason: FAILURE_REASONS.notUnderstood,
    };
  }
  return { ok: true, value: result.data };
}

export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `undefined` when the body is over the limit; the rest of it is never downloaded. */
async function readBodyWithinLimit(response: Response): Promise<Uint8Array | undefined> {
  if (Number(response.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function describeFetchFailure(error: unknown, sourceName: string, url: URL, timeoutMs: number): FetchFailure {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { ok: false, message: `${sourceName} did not answer within ${timeoutMs} ms (${url}).`, reason: FAILURE_REASONS.timedOut };
  }
  const cause = rootCause(error);
  return { ok: false, message: `Could not reach ${sourceName} at ${url}: ${cause}.`, reason: `unreachable (${cause})` };
}

/** A failed fetch as a check. */
export function failedCheck(failure: FetchFailure): SourceCheck {
  return { kind: 'error', message: failure.message, reason: failure.reason };
}

/** A reply that arrived but does not say what a check needs (a resolved question without its resolution). */
export function notUnderstood(message: string): SourceCheck {
  return { kind: 'error', message, reason: FAILURE_REASONS.notUnderstood };
}

/** Node's fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND, …) in `cause`. */
function rootCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    return code ?? cause.message;
  }
  return error.message;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}
