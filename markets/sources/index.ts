import { z } from 'zod';
import { manifoldSource } from './manifold.ts';
import { metaculusSource } from './metaculus.ts';
import { polymarketSource } from './polymarket.ts';
import { refused } from './ref.ts';
import type {
  CheckOptions,
  JsonPrimitive,
  PlatformDefinition,
  RefParse,
  SourceCheck,
  SourceDefinition,
  SourceHttp,
} from './types.ts';
import { urlRefFromLink, urlSource } from './url.ts';
import { errorMessage } from '../errors.ts';

export { MANIFOLD_DEFAULT_BASE_URL } from './manifold.ts';
export { METACULUS_DEFAULT_BASE_URL } from './metaculus.ts';
export { isTerminalCheck, mapToMarketOutcome, type MarketOutcomeMapping } from './outcome.ts';
export { POLYMARKET_DEFAULT_BASE_URL } from './polymarket.ts';
export type { CheckOptions, JsonPathReading, JsonPrimitive, SourceCheck, SourceHttp, UrlEvidence } from './types.ts';

/** The registry: a new platform is its own file plus one line here. */
const platforms = {
  manifold: manifoldSource,
  metaculus: metaculusSource,
  polymarket: polymarketSource,
};

const sources = { ...platforms, url: urlSource };

type Sources = typeof sources;
export type SourceKind = keyof Sources;
export type PlatformKind = keyof typeof platforms;
type RefOf<Kind extends SourceKind> = z.output<Sources[Kind]['refSchema']>;

/** A linked source as stored with a market: plain JSON, validated by `sourceRefSchema` when read back. */
export type SourceRef = { [Kind in SourceKind]: RefOf<Kind> }[SourceKind];

// Typed per kind so that `check` below is called with the reference of its own kind, without casts.
const registry: { readonly [Kind in SourceKind]: SourceDefinition<RefOf<Kind>> } = sources;
const platformRegistry: { readonly [Kind in PlatformKind]: PlatformDefinition<RefOf<Kind>> } = platforms;

export const sourceRefSchema = z.union(Object.values(registry).map((source) => source.refSchema));

export type SourceRefParse = RefParse<SourceRef>;

export interface ParseSourceOptions {
  /** How to read input that is not a link: a Manifold id or slug, a Metaculus question id or a Polymarket slug. */
  readonly bareIdKind?: PlatformKind;
  /** Makes the link a JSON check: a dotted path into the reply (such as "data.status") … */
  readonly jsonPath?: string;
  /** … and, optionally, the value that path should hold. */
  readonly expected?: JsonPrimitive;
}

/**
 * Turns what a moderator pasted into a source reference. Platform links become platform sources; any other http(s)
 * link, or any link with a JSON path, becomes a plain URL source. Refusals explain themselves.
 */
export function parseSourceUrl(input: string, options: ParseSourceOptions = {}): SourceRefParse {
  const text = input.trim();
  if (text === '') return refused('No link given.');
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return parseBareId(text, options.bareIdKind);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refused(`"${text}" is not a valid link.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refused(`Only http(s) links can be sources, not "${url.protocol}" links.`);
  }
  if (url.username !== '' || url.password !== '') {
    return refused('Links with a user name or password in them are not accepted; they would be stored and shown.');
  }
  if (options.jsonPath === undefined) {
    for (const platform of Object.values(platformRegistry)) {
      const claimed = platform.recogniseUrl(url);
      if (claimed !== undefined) return claimed;
    }
  }
  return urlRefFromLink(url, { jsonPath: options.jsonPath, expected: options.expected });
}

function parseBareId(text: string, kind: PlatformKind | undefined): SourceRefParse {
  if (kind === undefined) {
    return refused(`"${text}" is not a link. Paste the full https:// link, or say which platform the id belongs to.`);
  }
  return platformRegistry[kind].parseBareId(text);
}

/** Never throws: network trouble, odd replies and even bugs in an adapter come back as an `error` check. */
export async function checkSource(ref: SourceRef, http: SourceHttp, options: CheckOptions): Promise<SourceCheck> {
  try {
    return await checkOfKind(ref.kind, ref, http, options);
  } catch (error) {
    const reason = errorMessage(error);
    return { kind: 'error', message: `Checking ${ref.url} failed unexpectedly: ${reason}`, reason: 'check failed unexpectedly' };
  }
}

function checkOfKind<Kind extends SourceKind>(
  kind: Kind,
  ref: RefOf<Kind>,
  http: SourceHttp,
  options: CheckOptions,
): Promise<SourceCheck> {
  return registry[kind].check(ref, http, options);
}
