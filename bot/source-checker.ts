import { type CheckOptions, checkSource, type SourceCheck, type SourceHttp, type SourceRef } from '../markets/sources/index.ts';
import type { LinkGuard } from '../markets/sources/link-guard.ts';
import type { Config } from './config.ts';
import { guardedFetch } from './link-fetch.ts';

export type SourceChecker = (ref: SourceRef, options: CheckOptions) => Promise<SourceCheck>;

/**
 * Checks linked sources with the configured API roots, timeout and User-Agent. Each platform gets its own HTTP
 * context, so a Metaculus token is only ever sent to Metaculus. The platforms' API roots come from the operator and
 * are trusted; a plain URL came from a member, so it goes through `linkGuard` on every fetch (DNS can change) and
 * connects only to addresses the guard allows. `fetchImpl` (tests) replaces how requests are sent; a member link's
 * request still carries the guard's dispatcher, so a replacement must pass it on.
 */
export function configuredSourceChecker(config: Config, linkGuard: LinkGuard, fetchImpl?: typeof fetch): SourceChecker {
  const http = configuredSourceHttp(config, linkGuard, fetchImpl);
  return (ref, options) => checkSource(ref, http[ref.kind], options);
}

/** The HTTP context of each kind of source, as configured. */
export function configuredSourceHttp(config: Config, linkGuard: LinkGuard, fetchImpl?: typeof fetch): Record<SourceRef['kind'], SourceHttp> {
  const common = { fetch: fetchImpl ?? fetch, timeoutMs: config.CRUX_SOURCE_TIMEOUT_MS, userAgent: config.CRUX_SOURCE_USER_AGENT };
  return {
    manifold: { ...common, baseUrl: config.CRUX_MANIFOLD_API_BASE },
    metaculus: {
      ...common,
      baseUrl: config.CRUX_METACULUS_API_BASE,
      ...(config.CRUX_METACULUS_TOKEN === undefined ? {} : { headers: { authorization: `Token ${config.CRUX_METACULUS_TOKEN}` } }),
    },
    polymarket: { ...common, baseUrl: config.CRUX_POLYMARKET_API_BASE },
    url: { ...common, fetch: guardedFetch(linkGuard, fetchImpl), linkGuard },
  };
}

/** Why a link of this kind cannot be read with this configuration, in words for moderators; undefined when it can. */
export function sourceWarning(kind: string, config: Config): string | undefined {
  if (kind === 'metaculus' && config.CRUX_METACULUS_TOKEN === undefined) {
    return 'Crux cannot read Metaculus without a token (CRUX_METACULUS_TOKEN is not set), so it will not propose a resolution from this link. Resolve it by hand, or ask the operator to set the token.';
  }
  return undefined;
}
