import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FAILURE_REASONS, failedCheck, fetchReply, notUnderstood, parseJson } from './http.ts';
import { httpUrlSchema, validatedRef } from './ref.ts';
import type {
  CheckOptions,
  JsonPathReading,
  JsonPrimitive,
  RefParse,
  SourceCheck,
  SourceDefinition,
  SourceHttp,
} from './types.ts';

const PAGE_ACCEPT = 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8';
const MAX_TITLE_LENGTH = 200;

export const urlRefSchema = z
  .object({
    kind: z.literal('url'),
    url: httpUrlSchema,
    jsonPath: z
      .string()
      .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'expected a dotted path such as "data.items.0.status"')
      .optional(),
    expected: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  })
  .refine((ref) => ref.expected === undefined || ref.jsonPath !== undefined, {
    message: 'an expected value needs a JSON path to compare it with',
    path: ['expected'],
  });

export type UrlRef = z.infer<typeof urlRefSchema>;

export interface JsonCheckOptions {
  readonly jsonPath?: string;
  readonly expected?: JsonPrimitive;
}

/** The fallback for every http(s) link no platform claims. */
export function urlRefFromLink(url: URL, options: JsonCheckOptions): RefParse<UrlRef> {
  return validatedRef(urlRefSchema, { kind: 'url', url: url.href, ...options }, 'Cannot use that link');
}

/** Reports what the page looks like now; deciding what it means is left to moderators. */
async function checkUrl(ref: UrlRef, http: SourceHttp, options: CheckOptions): Promise<SourceCheck> {
  // A member chose this link: without the address check it is not fetched at all.
  if (http.linkGuard === undefined) return { kind: 'error', message: `Not fetched: ${ref.url} was given by a member and no address check is set up for such links.`, reason: FAILURE_REASONS.refusedLink };
  const url = new URL(ref.url);
  const reply = await fetchReply(url, http, url.host, PAGE_ACCEPT);
  if (!reply.ok) return failedCheck(reply);
  const { status, ok, bytes, text } = reply.value;
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  const title = pageTitle(text);
  const evidence = {
    kind: 'evidence',
    url: ref.url,
    status,
    reachable: ok,
    contentHash,
    ...(title === undefined ? {} : { title }),
    ...(options.previousContentHash === undefined ? {} : { changed: options.previousContentHash !== contentHash }),
  } as const;
  if (ref.jsonPath === undefined || !ok) return evidence;
  const body = parseJson(text);
  if (!body.ok) return notUnderstood(`${url.host} sent a reply that is not valid JSON (${ref.url}).`);
  return { ...evidence, json: readJsonPath(body.value, ref.jsonPath, ref.expected) };
}

function readJsonPath(root: unknown, path: string, expected: JsonPrimitive | undefined): JsonPathReading {
  let current = root;
  for (const key of path.split('.')) {
    const next = childOf(current, key);
    if (!next.found) return { path, found: false, ...(expected === undefined ? {} : { matchesExpected: false }) };
    current = next.value;
  }
  return { path, found: true, value: current, ...(expected === undefined ? {} : { matchesExpected: current === expected }) };
}

/** Own properties only: a path such as "constructor" must not find something the JSON never said. */
function childOf(value: unknown, key: string): { readonly found: true; readonly value: unknown } | { readonly found: false } {
  if (Array.isArray(value)) {
    const index = /^\d+$/.test(key) ? Number(key) : -1;
    return index >= 0 && index < value.length ? { found: true, value: value[index] as unknown } : { found: false };
  }
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, key)) {
    return { found: true, value: (value as Record<string, unknown>)[key] };
  }
  return { found: false };
}

/**
 * A page's title is in its head, so only this much of a page is searched for it. Each search below is one pass: a
 * lazy `<title>(.*?)</title>` over the whole body ran again from every `<title` it met, which a hostile page of them
 * made take minutes of the event loop.
 */
const TITLE_SEARCH_LENGTH = 64 * 1024;

function pageTitle(html: string): string | undefined {
  const head = html.slice(0, TITLE_SEARCH_LENGTH);
  // An attribute runs to the next `<` or `>` at the most, so a failed attempt never scans past the next tag.
  const opening = /<title\b[^<>]*>/gi;
  if (opening.exec(head) === null) return undefined;
  const closing = /<\/title>/gi;
  closing.lastIndex = opening.lastIndex;
  const end = closing.exec(head);
  const raw = end === null ? undefined : head.slice(opening.lastIndex, end.index);
  const title = raw === undefined ? '' : decodeEntities(raw).replace(/\s+/g, ' ').trim();
  if (title === '') return undefined;
  return title.length > MAX_TITLE_LENGTH ? `${title.slice(0, MAX_TITLE_LENGTH)}…` : title;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return codePoint(Number.parseInt(name.slice(2), 16), entity);
    if (name.startsWith('#')) return codePoint(Number.parseInt(name.slice(1), 10), entity);
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

function codePoint(value: number, fallback: string): string {
  return value > 0 && value <= 0x10ffff ? String.fromCodePoint(value) : fallback;
}

export const urlSource = {
  refSchema: urlRefSchema,
  check: checkUrl,
} satisfies SourceDefinition<UrlRef>;
