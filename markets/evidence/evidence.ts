import { CruxError } from '../errors.ts';

export const STANCES = ['for', 'against', 'context'] as const;
export type Stance = (typeof STANCES)[number];

export const MAX_EVIDENCE_NOTE = 300;

export interface HiddenBy {
  by: string;
  at: number;
  reason: string;
}

/** A link a member attached to a market, with what they say it shows and the price when they did. */
export interface EvidenceItem {
  marketId: string;
  /** Per market, from 1: what a resolution cites. */
  number: number;
  url: string;
  stance: Stance;
  note: string | null;
  addedBy: string;
  addedAt: number;
  pricesThen: number[];
  /** Set when a moderator hid it; it stays in the record. */
  hidden: HiddenBy | null;
}

export type NewEvidence = Omit<EvidenceItem, 'hidden'>;

/** What a market's card says of its evidence: hidden items are not counted. */
export interface EvidenceTally {
  for: number;
  against: number;
  context: number;
  latest: EvidenceItem | null;
}

/** Counts the visible items; `items` newest first, as the store lists them. */
export function tallyEvidence(items: readonly EvidenceItem[]): EvidenceTally {
  const visible = items.filter((item) => item.hidden === null);
  const count = (stance: Stance) => visible.filter((item) => item.stance === stance).length;
  return { for: count('for'), against: count('against'), context: count('context'), latest: visible[0] ?? null };
}

export function checkNote(note: string | undefined): string | null {
  const trimmed = note?.trim() ?? '';
  if (trimmed.length > MAX_EVIDENCE_NOTE) throw new CruxError('invalid_input', `A note may be at most ${MAX_EVIDENCE_NOTE} characters.`);
  return trimmed === '' ? null : trimmed;
}

/** The evidence numbers a resolution's citation names: "#2", "see #5" (each once, in order); a URL's "/#2" is not one. */
export function citedNumbers(citation: string): number[] {
  return [...new Set([...citation.matchAll(/(?:^|[\s([,;])#(\d{1,6})\b/g)].map((match) => Number(match[1])))];
}

/**
 * What a resolution decided on the sources' word (an accepted proposal, auto-resolve) cites: the market's visible
 * evidence items that link one of the sources it was decided on, in number order. Nobody types a citation there, so
 * the sources themselves are the citation.
 */
export function itemsLinking(urls: readonly string[], items: readonly EvidenceItem[]): EvidenceItem[] {
  const linked = new Set(urls.map(sameLink));
  return items.filter((item) => item.hidden === null && linked.has(sameLink(item.url))).toSorted((a, b) => a.number - b.number);
}

/** A URL as written for comparison: the parsed form, without a trailing slash or fragment. */
function sameLink(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** The items a citation names; a number the market has no visible item of is refused, so a typo cannot stand. */
export function citedItems(citation: string, items: readonly EvidenceItem[], slug: string): EvidenceItem[] {
  return citedNumbers(citation).map((number) => {
    const item = items.find((candidate) => candidate.number === number && candidate.hidden === null);
    if (item === undefined) throw new CruxError('invalid_input', `\`${slug}\` has no evidence #${number} to cite.`);
    return item;
  });
}
