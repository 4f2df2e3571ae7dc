import { addressKind, isMetadataHostName } from './address.ts';

/** Every address a host name resolves to (the edge asks DNS; tests answer from a table). */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;

/**
 * How links given by members are kept on the public internet: each host is resolved and every address it resolves to
 * must be public, for the link itself and for each redirect, at link time, again whenever it is fetched, and
 * once more by the connection itself.
 */
export interface LinkGuard {
  readonly resolve: ResolveHost;
  /** Tests only: lets member links reach servers on 127.0.0.1 (nothing else that is internal). */
  readonly allowLoopback?: boolean;
}

/** A redirect chain longer than this is refused; browsers allow 20, but no resolution source needs more than a few. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Thrown by the edge's connection when the address it is about to connect to is not allowed: DNS may answer
 * differently when the connection is made than when the link was checked, so the check is made again there.
 */
export class InternalAddressError extends Error {
  override readonly name = 'InternalAddressError';
}

export type CheckedAddresses = { readonly ok: true; readonly addresses: readonly string[] } | { readonly ok: false; readonly refusal: string };

/**
 * Every address `host` (a name or an IP address, without brackets) resolves to when all of them may be fetched, or
 * why not. Never rejects: a failed lookup is a refusal too.
 */
export async function checkedAddresses(host: string, guard: LinkGuard): Promise<CheckedAddresses> {
  if (isMetadataHostName(host)) return { ok: false, refusal: `${host} is a cloud metadata service` };
  let addresses: readonly string[];
  if (addressKind(host) !== undefined) {
    addresses = [host];
  } else {
    try {
      addresses = await guard.resolve(host);
    } catch (error) {
      const code: unknown = error instanceof Error && 'code' in error ? error.code : undefined;
      return { ok: false, refusal: `Crux could not look up ${host} (${typeof code === 'string' ? code : String(error)}); check the link` };
    }
    if (addresses.length === 0) return { ok: false, refusal: `${host} has no address` };
  }
  for (const address of addresses) {
    const kind = addressKind(address) ?? 'not an IP address';
    if (kind === 'public' || (kind === 'loopback' && guard.allowLoopback === true)) continue;
    // The address itself is named only when the link gave it: members must not learn what internal names resolve to.
    const what = address === host ? `${address} is` : `${host} resolves to`;
    return { ok: false, refusal: `${what} an internal address (${kind}), and Crux only fetches links on the public internet` };
  }
  return { ok: true, addresses };
}

/** Why `url` must not be fetched for a member, or undefined when every address its host resolves to is public. */
export async function internalAddressRefusal(url: URL, guard: LinkGuard): Promise<string | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http(s) links can be fetched, not "${url.protocol}"`;
  const checked = await checkedAddresses(url.hostname.replace(/^\[|\]$/g, ''), guard);
  return checked.ok ? undefined : checked.refusal;
}

export type GuardedResponse = { readonly ok: true; readonly response: Response } | { readonly ok: false; readonly message: string };

/**
 * GETs a member's link, following redirects by hand so each hop's host is checked before it is contacted. `init`
 * (headers, the timeout's signal) applies to every hop. `fetchImpl` must check the address again as it connects
 * (the edge's guardedFetch does): the check here words the refusal, that one makes it hold if DNS answers otherwise.
 */
export async function fetchGuarded(url: URL, init: RequestInit, fetchImpl: typeof fetch, guard: LinkGuard): Promise<GuardedResponse> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const refusal = await internalAddressRefusal(current, guard);
    if (refusal !== undefined) return refused(current, refusal);
    let response: Response;
    try {
      response = await fetchImpl(current, { ...init, redirect: 'manual' });
    } catch (error) {
      const atConnect = internalAddressCause(error);
      if (atConnect === undefined) throw error;
      return refused(current, atConnect.message);
    }
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return { ok: true, response };
    await response.body?.cancel();
    if (hop === MAX_REDIRECTS) return { ok: false, message: `${url} redirects more than ${MAX_REDIRECTS} times; not followed.` };
    try {
      current = new URL(location, current);
    } catch {
      return { ok: false, message: `${current} redirects to "${location}", which is not a link.` };
    }
  }
}

function refused(url: URL, refusal: string): GuardedResponse {
  return { ok: false, message: `Refused to fetch ${url}: ${refusal}.` };
}

/** fetch reports a failed connection as "fetch failed" with the connection's own error as its cause. */
function internalAddressCause(error: unknown): InternalAddressError | undefined {
  return error instanceof Error && error.cause instanceof InternalAddressError ? error.cause : undefined;
}
