import { z } from 'zod';

/**
 * Characters that show nothing yet make two names differ: zero-width spaces and joiners, the soft hyphen, the
 * word joiner and invisible operators, the byte-order mark, tag characters, and the bidirectional controls (marks,
 * embeddings, overrides and isolates) that make text display in another order than it is stored.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;

/**
 * A name as members read it, so that two names which look the same are the same: compatibility forms folded (NFKC:
 * full-width letters, ligatures, non-breaking spaces), invisible characters removed, runs of white space made one.
 */
export function normaliseName(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/**
 * The first `length` UTF-16 units of `text`, or one fewer where the last would be the first half of a surrogate pair
 * (an emoji, say): half a pair is not text, and Discord refuses a payload that holds one.
 */
export function prefixOf(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/** A member-supplied name, normalised before any other check runs on it; `error` answers a value that is no text. */
export function memberName<S extends z.ZodType<unknown, string>>(checks: S, error?: string) {
  return z.string(error === undefined ? undefined : { error }).transform(normaliseName).pipe(checks);
}
