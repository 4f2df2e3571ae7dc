import { z } from 'zod';
import type { RefParse } from './types.ts';

/** Stored links are only ever http(s): anything else is refused before it reaches a fetch. */
export const httpUrlSchema = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** Platform slugs go into request paths, so nothing that could climb out of one ("..", "/", "%2F") is allowed. */
export const slugSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected a slug made of letters, digits, "-" and "_"');

function parsed<Ref>(ref: Ref): RefParse<Ref> {
  return { ok: true, ref };
}

export function refused<Ref>(message: string): RefParse<Ref> {
  return { ok: false, message };
}

/** Validates a candidate reference, turning zod's complaint into a sentence a moderator can act on. */
export function validatedRef<Ref>(schema: z.ZodType<Ref>, candidate: unknown, context: string): RefParse<Ref> {
  const result = schema.safeParse(candidate);
  if (result.success) return parsed(result.data);
  return refused(`${context}: ${describeIssues(result.error.issues)}.`);
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export function pathSegments(url: URL): string[] {
  return url.pathname.split('/').filter((segment) => segment !== '');
}

/** Query strings on platform links are referral and tracking codes; the stored link does without them. */
export function linkWithoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
