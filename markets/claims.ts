import { z } from 'zod';
import { CruxError } from './errors.ts';
import type { OpenMarketInput } from './inputs.ts';
import { SLUG_PATTERN } from './slug.ts';

/** One claim of a claim pack, as shipped in claims/starter.json. */
export const claimSchema = z.object({
  slug: z.string().regex(SLUG_PATTERN),
  question: z.string().min(1),
  criteria: z.string().min(1),
  outcomes: z.array(z.string().min(1)).min(2).max(20),
  /** The opening price of the first outcome (binary claims). */
  probability: z.number().gt(0).lt(1).optional(),
  probabilities: z.array(z.number().positive()).optional(),
  closes: z.iso.datetime({ offset: true }),
  tags: z.array(z.string()).default([]),
  liquidity: z.number().positive().optional(),
  sources: z.array(z.url()).default([]),
});

/** Names a claim as its author finds it in the file: its place in `claims` (from 0, as in a JSON path) and its slug. */
export function claimName(index: number, slug: string | undefined): string {
  return slug === undefined ? `claims[${index}]` : `claims[${index}] (${slug})`;
}

export const claimPackSchema = z
  .object({
    about: z.string().optional(),
    claims: z.array(claimSchema).min(1),
  })
  .superRefine((pack, context) => {
    // Refused, not skipped: which of the two claims the author meant is a guess.
    const firstIndex = new Map<string, number>();
    pack.claims.forEach((claim, index) => {
      const first = firstIndex.get(claim.slug);
      if (first === undefined) firstIndex.set(claim.slug, index);
      else context.addIssue({ code: 'custom', path: ['claims', index, 'slug'], message: `the slug appears twice in the pack, also at claims[${first}]` });
    });
  });

export type Claim = z.output<typeof claimSchema>;
export type ClaimPack = z.output<typeof claimPackSchema>;

export function parseClaimPack(text: string): ClaimPack {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CruxError('invalid_input', 'The claim pack is not valid JSON.');
  }
  const parsed = claimPackSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CruxError('invalid_input', `The claim pack is invalid at ${issue === undefined ? '?' : issuePlace(json, issue.path)}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/** `question of claims[3] (some-slug)`: the claim named, so its author finds it in a long pack. */
function issuePlace(json: unknown, path: readonly PropertyKey[]): string {
  const [section, index, ...field] = path;
  if (section !== 'claims' || typeof index !== 'number') return path.join('.');
  const claim = claimName(index, slugAt(json, index));
  return field.length === 0 ? claim : `${field.join('.')} of ${claim}`;
}

/** The slug written at `claims[index]`, whatever else is wrong with the claim. */
function slugAt(json: unknown, index: number): string | undefined {
  if (typeof json !== 'object' || json === null || !('claims' in json) || !Array.isArray(json.claims)) return undefined;
  const claim: unknown = json.claims[index];
  return typeof claim === 'object' && claim !== null && 'slug' in claim && typeof claim.slug === 'string' ? claim.slug : undefined;
}

export function claimToMarketInput(claim: Claim, place: { guildId: string | null; channelId: string | null }): OpenMarketInput {
  return {
    id: claim.slug,
    question: claim.question,
    criteria: claim.criteria,
    outcomes: claim.outcomes,
    // Passed on whatever the outcomes: the market's own check refuses it for more than two, rather than it vanishing.
    ...(claim.probability !== undefined ? { probability: claim.probability } : {}),
    ...(claim.probabilities !== undefined ? { probabilities: claim.probabilities } : {}),
    ...(claim.liquidity !== undefined ? { liquidity: claim.liquidity } : {}),
    closesAt: Date.parse(claim.closes),
    guildId: place.guildId,
    channelId: place.channelId,
    tags: claim.tags,
    links: claim.sources,
  };
}
