import { z } from 'zod';
import { STANCES } from '../evidence/evidence.ts';

/**
 * One thing to say about a market: a line in its thread, or part of a member's DM. Stored as JSON in the outbox and
 * read back through this schema, so what was decided in a transaction is exactly what is later sent.
 */
export const noticeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('trade'),
    userId: z.string(),
    side: z.enum(['buy', 'sell']),
    outcome: z.string(),
    shares: z.number().int(),
    cash: z.number().int(),
    before: z.number(),
    after: z.number(),
  }),
  z.object({
    kind: z.literal('evidence'),
    number: z.number().int(),
    url: z.string(),
    stance: z.enum(STANCES),
    note: z.string().nullable(),
    userId: z.string(),
    outcome: z.string(),
    priceThen: z.number(),
  }),
  z.object({
    kind: z.literal('edit'),
    field: z.enum(['question', 'criteria', 'closes_at', 'tags']),
    from: z.string(),
    to: z.string(),
    reason: z.string().nullable(),
    userId: z.string(),
  }),
  z.object({ kind: z.literal('proposal'), proposalId: z.number().int(), verdict: z.string() }),
  z.object({
    kind: z.literal('pending'),
    /** The decided outcome's name; null when cancelling. */
    outcome: z.string().nullable(),
    /** When the dispute window ends; null while the decision awaits a second moderator. */
    windowEndsAt: z.number().int().nullable(),
  }),
  z.object({
    kind: z.literal('settled'),
    /** The winning outcome's name; null when cancelled. */
    outcome: z.string().nullable(),
    evidence: z.string(),
    /** In a DM: what this member was paid. In the thread: what everyone was paid, in total. */
    paid: z.number().int(),
    payees: z.number().int(),
  }),
  z.object({ kind: z.literal('closing'), closesAt: z.number().int() }),
  z.object({ kind: z.literal('moved'), outcome: z.string(), from: z.number(), to: z.number(), hours: z.number() }),
  z.object({ kind: z.literal('stale'), days: z.number().int() }),
  z.object({ kind: z.literal('reason'), userId: z.string(), text: z.string(), outcome: z.string(), before: z.number(), after: z.number() }),
]);

export type Notice = z.output<typeof noticeSchema>;
export type NoticeKind = Notice['kind'];

/** The switches of /notify: each DM notice belongs to one. Trades are never DM'd, only posted in the thread. */
export const NOTIFICATION_KINDS = ['resolved', 'closing', 'moves', 'proposals', 'stale', 'edits'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  resolved: 'a market you hold or follow resolves or is cancelled (with your payout)',
  closing: 'a market you hold or follow closes within 24 hours',
  moves: 'a market you hold or follow moves a lot within 6 hours',
  proposals: 'a market you hold or follow gets a resolution proposal',
  stale: 'a market you opened has been closed and unresolved for days',
  edits: 'a market you hold is edited after trading began',
};

/** Which switch a DM notice is under; undefined for notices only ever posted in the thread. */
export function switchOf(notice: Notice): NotificationKind | undefined {
  switch (notice.kind) {
    case 'settled':
      return 'resolved';
    case 'closing':
      return 'closing';
    case 'moved':
      return 'moves';
    case 'proposal':
      return 'proposals';
    case 'stale':
      return 'stale';
    case 'edit':
      return 'edits';
    default:
      return undefined;
  }
}
