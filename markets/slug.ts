const MAX_SLUG_LENGTH = 40;
const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'to', 'by', 'did', 'does', 'do', 'will', 'is', 'be', 'in', 'on', 'for']);

/** A short readable id from a question: "Will a replication be published by 2027?" → "replication-published-2027". */
export function slugFromQuestion(question: string): string {
  const words = question
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, ' ')
    .split(/[\s-]+/)
    .filter((word) => word.length > 0);
  const meaningful = words.filter((word) => !STOP_WORDS.has(word));
  const chosen = meaningful.length > 0 ? meaningful : words;
  let slug = '';
  for (const word of chosen) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > MAX_SLUG_LENGTH) break;
    slug = next;
  }
  return slug === '' ? 'market' : slug;
}

/** The first of slug, slug-2, slug-3, … that is not taken. */
export function uniqueSlug(base: string, taken: (slug: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
