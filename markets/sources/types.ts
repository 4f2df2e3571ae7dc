import type { z } from 'zod';
import type { LinkGuard } from './link-guard.ts';

/**
 * Everything an adapter needs to talk HTTP, injected so that `markets/` stays free of globals and tests can point
 * each platform at a local server. One context per kind: headers meant for one platform never reach another.
 */
export interface SourceHttp {
  readonly fetch: typeof fetch;
  /** API root of the platform; unset means its public API. Plain URL checks fetch the linked URL itself. */
  readonly baseUrl?: string;
  readonly timeoutMs: number;
  readonly userAgent: string;
  /** Extra headers for this platform only, e.g. a Metaculus `Authorization: Token …`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Set for links given by members (plain URL sources): every host fetched, redirects included, must be public. */
  readonly linkGuard?: LinkGuard;
}

export interface CheckOptions {
  /** Epoch ms from the caller's clock; adapters never read the clock. */
  readonly now: number;
  /** Content hash from the last evidence check of a plain URL, so we can say "changed since linked". */
  readonly previousContentHash?: string;
}

export type JsonPrimitive = string | number | boolean | null;

/** What a JSON-URL check found at its dotted path. */
export interface JsonPathReading {
  readonly path: string;
  readonly found: boolean;
  /** A JSON value, as parsed from the reply. */
  readonly value?: unknown;
  /** Present only when the source names an expected value. */
  readonly matchesExpected?: boolean;
}

/** A plain URL never decides anything; this is what moderators get to read instead. */
export interface UrlEvidence {
  readonly kind: 'evidence';
  readonly url: string;
  readonly status: number;
  /** The server answered with a 2xx status. */
  readonly reachable: boolean;
  readonly title?: string;
  /** sha256 of the reply body, hex. */
  readonly contentHash: string;
  /** Present only when a previous hash was given. */
  readonly changed?: boolean;
  readonly json?: JsonPathReading;
}

/** The state of a linked source at one moment. Every variant is plain JSON, so it can be logged and stored as is. */
/** A platform's current probability of one of its own outcomes, by its own label ("YES", an answer's text). */
export interface OutsideOdd {
  readonly label: string;
  readonly probability: number;
}

export type SourceCheck =
  /** `odds`: what the platform trades the question at now, when it says; shown beside Crux's price, never applied. */
  | { readonly kind: 'pending'; readonly detail: string; readonly odds?: readonly OutsideOdd[] }
  /** Terminal: the platform's own outcome label, e.g. "YES", "yes" or a Polymarket outcome such as "Celtics". */
  | { readonly kind: 'outcome'; readonly label: string; readonly detail: string }
  /** Terminal: the platform cancelled, annulled or called the question ambiguous. */
  | { readonly kind: 'cancel'; readonly detail: string }
  /** Terminal: resolved to a probability (Manifold MKT). Reported to moderators, never applied to a binary market. */
  | { readonly kind: 'probability'; readonly probability: number; readonly detail: string }
  /** Terminal, but with no single outcome (split or 50-50 payouts); a moderator decides. */
  | { readonly kind: 'manual'; readonly detail: string }
  | UrlEvidence
  /**
   * Not a verdict: the check itself failed and should be retried with backoff. `reason` is the failure in a few words
   * for people ("HTTP 503", "not found", "reply not understood"); `message` is the whole story, link included.
   */
  | { readonly kind: 'error'; readonly message: string; readonly reason: string };

export type RefParse<Ref> = { readonly ok: true; readonly ref: Ref } | { readonly ok: false; readonly message: string };

/** One kind of source: how its reference is stored and how it is checked. */
export interface SourceDefinition<Ref extends { readonly kind: string }> {
  readonly refSchema: z.ZodType<Ref>;
  readonly check: (ref: Ref, http: SourceHttp, options: CheckOptions) => Promise<SourceCheck>;
}

/** A prediction platform: besides checking, it recognises its own links and bare ids. */
export interface PlatformDefinition<Ref extends { readonly kind: string }> extends SourceDefinition<Ref> {
  /** `undefined` means "not this platform's site", so the next platform (or the plain-URL fallback) gets a look. */
  readonly recogniseUrl: (url: URL) => RefParse<Ref> | undefined;
  readonly parseBareId: (text: string) => RefParse<Ref>;
}
