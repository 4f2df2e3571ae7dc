import { z } from 'zod';
import { CruxError } from './errors.ts';
import { MAX_OUTCOMES, MIN_OUTCOMES } from './market.ts';
import { memberName } from './names.ts';
import { SLUG_PATTERN } from './slug.ts';

/** Opening probabilities are kept off the edges so the maker's worst-case loss stays bounded and sane. */
export const MIN_OPENING_PROBABILITY = 0.01;
export const MAX_OPENING_PROBABILITY = 0.99;
/** Many-outcome markets may open some outcomes far lower; the subsidy b·ln(1/p) stays under 7b. */
export const MIN_OPENING_VECTOR_PROBABILITY = 0.001;
export const MIN_LIQUIDITY = 10;
export const MAX_LIQUIDITY = 1_000_000;

const SWITCH_WORDS: Record<string, boolean> = { on: true, true: true, yes: true, off: false, false: false, no: false };

/**
 * A switch, as Discord sends it (a boolean) or as text says it (on/off, true/false or yes/no, in any case): the console,
 * `/mod settings` and the environment all read switches through this one.
 */
export const switchInput = z.union([z.boolean(), z.string().trim().toLowerCase()]).transform((value, context) => {
  if (typeof value === 'boolean') return value;
  const meant = SWITCH_WORDS[value];
  if (meant !== undefined) return meant;
  context.addIssue({ code: 'custom', message: 'say on or off' });
  return z.NEVER;
});

const text = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, `${label} must be at least ${min} character${min === 1 ? '' : 's'}`)
    .max(max, `${label} must be at most ${max} characters`);

/** Names are compared as they look: normalised (see normaliseName) and regardless of case. */
const outcomeList = z
  .array(memberName(text('An outcome', 1, 60)))
  .min(MIN_OUTCOMES, `a market needs at least ${MIN_OUTCOMES} outcomes`)
  .max(MAX_OUTCOMES, `a market has at most ${MAX_OUTCOMES} outcomes`)
  .superRefine((names, context) => {
    const seen = new Set<string>();
    for (const name of names) {
      const key = name.toLowerCase();
      if (seen.has(key)) context.addIssue({ code: 'custom', message: `outcomes must differ, and "${name}" is given twice (invisible characters and case do not count)` });
      seen.add(key);
    }
  });

export const openMarketInput = z
  .object({
    id: memberName(z.string().regex(SLUG_PATTERN, 'an id is lower-case words joined by dashes').max(60)).optional(),
    question: memberName(text('The question', 5, 300)),
    criteria: text('The resolution criteria', 1, 2000),
    outcomes: outcomeList.default(['Yes', 'No']),
    /** Opening probability of the first outcome; binary markets only. */
    probability: z.number().min(MIN_OPENING_PROBABILITY).max(MAX_OPENING_PROBABILITY).optional(),
    /** A full opening vector; normalised to sum to 1. */
    probabilities: z.array(z.number().positive().finite()).optional(),
    liquidity: z.number().min(MIN_LIQUIDITY).max(MAX_LIQUIDITY).optional(),
    closesAt: z.number().int().positive(),
    guildId: z.string().nullable().default(null),
    channelId: z.string().nullable().default(null),
    tags: z.array(memberName(z.string().min(1).max(40))).max(10).default([]),
    links: z.array(z.url({ protocol: /^https?$/, error: 'a source must be an http(s) URL' })).max(10).default([]),
    /** Opens the market conditional on another market of the realm resolving to `outcome` (named or numbered from 0). */
    condition: z
      .object({
        market: z.string().regex(SLUG_PATTERN, 'a market id is lower-case words joined by dashes'),
        outcome: z.union([z.string().trim().min(1), z.number().int().nonnegative()]),
        /** For a crux pair: the market whose question this one asks again under the condition. */
        claim: z.string().regex(SLUG_PATTERN).optional(),
      })
      .optional(),
  })
  .refine((input) => input.probability === undefined || input.outcomes.length === 2, {
    message: 'an opening probability applies to binary markets only; give a vector for more outcomes',
    path: ['probability'],
  })
  .refine((input) => input.probabilities === undefined || input.probabilities.length === input.outcomes.length, {
    message: 'give one opening probability per outcome',
    path: ['probabilities'],
  });

export type OpenMarketInput = z.input<typeof openMarketInput>;
export type OpenMarketCommand = z.output<typeof openMarketInput>;

/** Runs a schema and turns its first complaint into a CruxError a user can read. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new CruxError('invalid_input', `${where}${issue?.message ?? 'invalid input'}.`);
}
