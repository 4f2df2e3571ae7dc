import { z } from 'zod';
import { formatDate, formatProbability } from './format.ts';
import { apiUrl, failedCheck, fetchJson, notUnderstood } from './http.ts';
import { httpUrlSchema, linkWithoutQuery, pathSegments, refused, slugSchema, validatedRef } from './ref.ts';
import type { CheckOptions, OutsideOdd, PlatformDefinition, RefParse, SourceCheck, SourceHttp } from './types.ts';

export const MANIFOLD_DEFAULT_BASE_URL = 'https://api.manifold.markets';

const SITE_HOSTS = new Set(['manifold.markets', 'www.manifold.markets']);
const SOURCE_NAME = 'Manifold';

export const manifoldRefSchema = z
  .object({
    kind: z.literal('manifold'),
    slug: slugSchema.optional(),
    id: z.string().regex(/^[A-Za-z0-9]+$/, 'expected a Manifold market id (letters and digits)').optional(),
    url: httpUrlSchema,
  })
  .refine((ref) => ref.slug !== undefined || ref.id !== undefined, 'a Manifold source needs a slug or an id');

export type ManifoldRef = z.infer<typeof manifoldRefSchema>;

/**
 * The fields of Manifold's `FullMarket` (common/src/api/market-types.ts) that decide a check. Everything else in the
 * reply (pool, volume, description, …) is ignored, so Manifold can add fields without breaking us.
 */
const manifoldMarketSchema = z.object({
  id: z.string(),
  question: z.string(),
  outcomeType: z.string(),
  isResolved: z.boolean(),
  // "YES" | "NO" | "MKT" | "CANCEL", an answer id (multiple choice, one winner) or "CHOOSE_MULTIPLE" (split).
  resolution: z.string().nullish(),
  resolutionProbability: z.number().min(0).max(1).nullish(),
  // Where a numeric market stood on its scale when it resolved (its resolutionProbability is that place, no chance).
  resolutionValue: z.number().nullish(),
  probability: z.number().min(0).max(1).optional(),
  closeTime: z.number().optional(),
  answers: z
    .array(
      z.object({
        id: z.string(),
        text: z.string(),
        probability: z.number().optional(),
        resolution: z.string().nullish(),
      }),
    )
    .optional(),
});

type ManifoldMarket = z.infer<typeof manifoldMarketSchema>;
type ManifoldAnswer = NonNullable<ManifoldMarket['answers']>[number];

function recogniseUrl(url: URL): RefParse<ManifoldRef> | undefined {
  if (!SITE_HOSTS.has(url.hostname)) return undefined;
  const segments = pathSegments(url);
  const marketPath = segments[0] === 'embed' ? segments.slice(1) : segments;
  const [, slug] = marketPath;
  if (marketPath.length !== 2 || slug === undefined) {
    return refused('That Manifold link is not a market. Expected manifold.markets/<user>/<market-slug>.');
  }
  return validatedRef(manifoldRefSchema, { kind: 'manifold', slug, url: linkWithoutQuery(url) }, 'Manifold link');
}

/**
 * Market ids are bare letters and digits; slugs are hyphenated words, which is how the two are told apart. Manifold
 * ignores the user segment of a market link, so a placeholder one is as good as the creator's name.
 */
function parseBareId(text: string): RefParse<ManifoldRef> {
  const isSlug = text.includes('-');
  const candidate = isSlug
    ? { kind: 'manifold', slug: text, url: `https://manifold.markets/market/${text}` }
    : { kind: 'manifold', id: text, url: `${MANIFOLD_DEFAULT_BASE_URL}/v0/market/${text}` };
  return validatedRef(manifoldRefSchema, candidate, `"${text}" is not a Manifold market ${isSlug ? 'slug' : 'id'}`);
}

async function checkManifold(ref: ManifoldRef, http: SourceHttp, options: CheckOptions): Promise<SourceCheck> {
  // Ids never change; slugs are only the fallback for links that carry no id.
  const path =
    ref.id !== undefined ? `v0/market/${encodeURIComponent(ref.id)}` : `v0/slug/${encodeURIComponent(ref.slug ?? '')}`;
  const reply = await fetchJson(apiUrl(http.baseUrl ?? MANIFOLD_DEFAULT_BASE_URL, path), http, SOURCE_NAME, manifoldMarketSchema);
  if (!reply.ok) return failedCheck(reply);
  return judgeMarket(reply.value, options.now);
}

function judgeMarket(market: ManifoldMarket, now: number): SourceCheck {
  const name = `Manifold "${market.question}"`;
  if (!market.isResolved) {
    const odds = currentOdds(market);
    return { kind: 'pending', detail: `${name}: ${describeOpenMarket(market, now)}`, ...(odds.length > 0 ? { odds } : {}) };
  }
  switch (market.resolution) {
    case 'YES':
    case 'NO':
      return { kind: 'outcome', label: market.resolution, detail: `${name} resolved ${market.resolution}.` };
    case 'CANCEL':
      return { kind: 'cancel', detail: `${name} resolved N/A (cancelled).` };
    case 'MKT':
      return judgeMarketResolution(market, name);
    case 'CHOOSE_MULTIPLE':
      return { kind: 'manual', detail: `${name} resolved to a split between several answers.` };
    case undefined:
    case null:
      return notUnderstood(`${name} is marked resolved but Manifold gives no resolution.`);
    default:
      return judgeAnswerResolution(market, market.resolution, name);
  }
}

/**
 * A binary MKT resolution carries the probability it paid out at. A multiple-choice market whose answers were resolved
 * one by one also ends as MKT, but its resolutionProbability is just the last answer's, so it must not be reported; nor
 * a numeric one's, which is the resolved value's place on its scale, not a chance of anything.
 */
function judgeMarketResolution(market: ManifoldMarket, name: string): SourceCheck {
  if (market.outcomeType !== 'BINARY' && market.outcomeType !== 'MULTIPLE_CHOICE') {
    const value = market.resolutionValue === undefined || market.resolutionValue === null ? '' : ` at ${market.resolutionValue}`;
    return { kind: 'manual', detail: `${name} is a ${market.outcomeType.toLowerCase()} market, resolved${value}: a moderator decides what that means here.` };
  }
  if (market.outcomeType === 'MULTIPLE_CHOICE') {
    const answers = (market.answers ?? [])
      .filter((answer) => answer.resolution)
      .map((answer) => `${answer.text}: ${answer.resolution}`)
      .join(', ');
    return { kind: 'manual', detail: `${name} resolved answer by answer (${answers || 'no answers listed'}).` };
  }
  if (market.resolutionProbability === undefined || market.resolutionProbability === null) {
    return notUnderstood(`${name} resolved MKT but Manifold gives no resolution probability.`);
  }
  const probability = market.resolutionProbability;
  return { kind: 'probability', probability, detail: `${name} resolved MKT at ${formatProbability(probability)}.` };
}

function judgeAnswerResolution(market: ManifoldMarket, answerId: string, name: string): SourceCheck {
  const answer = market.answers?.find((candidate) => candidate.id === answerId);
  if (answer === undefined) {
    return notUnderstood(`${name} resolved to "${answerId}", which is none of its answers.`);
  }
  return { kind: 'outcome', label: answer.text, detail: `${name} resolved to "${answer.text}".` };
}

/** A binary market's YES and NO, or each answer of a multiple-choice one that has a probability. */
function currentOdds(market: ManifoldMarket): OutsideOdd[] {
  if (market.outcomeType === 'BINARY' && market.probability !== undefined) {
    return [
      { label: 'YES', probability: market.probability },
      { label: 'NO', probability: 1 - market.probability },
    ];
  }
  return (market.answers ?? []).flatMap((answer) => (answer.probability === undefined ? [] : [{ label: answer.text, probability: answer.probability }]));
}

function describeOpenMarket(market: ManifoldMarket, now: number): string {
  const trading =
    market.closeTime !== undefined && market.closeTime <= now
      ? `trading closed ${formatDate(market.closeTime)}, awaiting resolution`
      : 'open';
  if (market.outcomeType === 'BINARY' && market.probability !== undefined) return `${trading}; ${formatProbability(market.probability)} YES.`;
  const leader = (market.answers ?? []).reduce<ManifoldAnswer | undefined>(
    (best, answer) => ((answer.probability ?? 0) > (best?.probability ?? -1) ? answer : best),
    undefined,
  );
  if (leader?.probability === undefined) return `${trading}.`;
  return `${trading}; leading answer "${leader.text}" at ${formatProbability(leader.probability)}.`;
}

export const manifoldSource = {
  refSchema: manifoldRefSchema,
  recogniseUrl,
  parseBareId,
  check: checkManifold,
} satisfies PlatformDefinition<ManifoldRef>;
