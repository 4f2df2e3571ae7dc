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

export const claimPackSchema = z.object({
  about: z.string().optional(),
  claims: z.array(claimSchema).min(1),
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
    throw new CruxError('invalid_input', `The claim pack is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

export function claimToMarketInput(claim: Claim, place: { guildId: string | null; channelId: string | null }): OpenMarketInput {
  return {
    id: claim.slug,
    question: claim.question,
    criteria: claim.criteria,
    outcomes: claim.outcomes,
    ...(claim.probability !== undefined && claim.outcomes.length === 2 ? { probability: claim.probability } : {}),
    ...(claim.probabilities !== undefined ? { probabilities: claim.probabilities } : {}),
    ...(claim.liquidity !== undefined ? { liquidity: claim.liquidity } : {}),
    closesAt: Date.parse(claim.closes),
    guildId: place.guildId,
    channelId: place.channelId,
    tags: claim.tags,
    links: claim.sources,
  };
}
