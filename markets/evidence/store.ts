import type { MarketEdit } from '../events.ts';
import type { EvidenceItem, HiddenBy, NewEvidence } from './evidence.ts';

/** The fields /market edit may change, as stored. */
export interface MarketTexts {
  question: string;
  criteria: string;
  closesAt: number;
  tags: string[];
}

/** What evidence and edits need from storage. */
export interface EvidenceStore {
  nextEvidenceNumber(marketId: string): number;
  insertEvidence(item: NewEvidence): void;
  /** A market's evidence, newest first, hidden items included. */
  evidence(marketId: string): EvidenceItem[];
  hideEvidence(marketId: string, number: number, hidden: HiddenBy): void;

  applyEdit(marketId: string, texts: MarketTexts): void;
  recordEdit(marketId: string, edit: MarketEdit): void;
  /** Oldest first. */
  edits(marketId: string): MarketEdit[];
}
