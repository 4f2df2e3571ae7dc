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
