import { addressKind, isMetadataHostName } from './address.ts';

/** Every address a host name resolves to (the edge asks DNS; tests answer from a table). */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;

/**
 * How links given by members are kept on the public internet: each host is resolved and every address it resolves to
 * must be public, for the link itself and for each redirect, at link time and again whenever it is fetched.
 */
export interface LinkGuard {
  readonly resolve: ResolveHost;
  /** Tests only: lets member links reach servers on 127.0.0.1 (nothing else that is internal). */
  readonly allowLoopback?: boolean;
}

/** A redirect chain longer than this is refused; browsers allow 20, but no resolution source needs more than a few. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Why `url` must not be fetched for a member, or undefined when every address its host resolves to is public. */
export async function internalAddressRefusal(url: URL, guard: LinkGuard): Promise<string | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http(s) links can be fetched, not "${url.protocol}"`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isMetadataHostName(host)) return `${host} is a cloud metadata service`;
  let addresses: readonly string[];
  if (addressKind(host) !== undefined) {
    addresses = [host];
  } else {
    try {
      addresses = await guard.resolve(host);
    } catch (error) {
      const code: unknown = error instanceof Error && 'code' in error ? error.code : undefined;
      return `Crux could not look up ${host} (${typeof code === 'string' ? code : String(error)}); check the link`;
    }
    if (addresses.length === 0) return `${host} has no address`;
  }
  for (const address of addresses) {
    const kind = addressKind(address) ?? 'not an IP address';
    if (kind === 'public' || (kind === 'loopback' && guard.allowLoopback === true)) continue;
    // The address itself is named only when the link gave it: members must not learn what internal names resolve to.
    const what = address === host ? `${address} is` : `${host} resolves to`;
    return `${what} an internal address (${kind}), and Crux only fetches links on the public internet`;
  }
  return undefined;
}

export type GuardedResponse = { readonly ok: true; readonly response: Response } | { readonly ok: false; readonly message: string };

/**
 * GETs a member's link, following redirects by hand so each hop's host is checked before it is contacted. `init`
 * (headers, the timeout's signal) applies to every hop.
 */
export async function fetchGuarded(url: URL, init: RequestInit, fetchImpl: typeof fetch, guard: LinkGuard): Promise<GuardedResponse> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const refusal = await internalAddressRefusal(current, guard);
    if (refusal !== undefined) return { ok: false, message: `Refused to fetch ${current}: ${refusal}.` };
    const response = await fetchImpl(current, { ...init, redirect: 'manual' });
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
