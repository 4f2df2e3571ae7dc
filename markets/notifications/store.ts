import type { RealmId } from '../realms/realm.ts';
import type { RecipientHistory } from './coalesce.ts';
import type { Notice, NotificationKind } from './notice.ts';

export type OutboxTarget = 'thread' | 'dm';
export type OutboxState = 'pending' | 'sending' | 'sent' | 'dropped';

export interface OutboxEntry {
  id: number;
  realm: RealmId;
  marketId: string;
  target: OutboxTarget;
  /** The DM's recipient; null for the thread. */
  userId: string | null;
  notices: Notice[];
  createdAt: number;
  dueAt: number;
  /** Unanswered sends after which the entry was put back to wait (see retry.ts). */
  attempts: number;
}

export type NewOutboxEntry = Omit<OutboxEntry, 'id' | 'attempts'>;

/** Where a market's thread is: absent until the card was posted; null thread id when it could not be opened. */
export interface MarketThread {
  threadId: string | null;
  /** When a process claimed a batch of lines to post in it, until that post is done; null while none is posting. */
  postingSince: number | null;
}

/** What notifications, threads and the outbox need from storage. */
export interface NotificationStore {
  thread(marketId: string): MarketThread | undefined;
  setThread(marketId: string, threadId: string | null, at: number): void;
  setPostingSince(marketId: string, since: number | null): void;
  /** Whether a market of the realm already failed to get a thread (so moderators were told). */
  threadRefusedBefore(realm: RealmId): boolean;

  enqueue(entry: NewOutboxEntry): number;
  appendNotices(outboxId: number, notices: readonly Notice[]): void;
  recipientHistory(userId: string, marketId: string): RecipientHistory;
  /** Pending thread entries of one market, oldest first. */
  pendingThreadEntries(marketId: string): OutboxEntry[];
  /** Markets with thread entries waiting. */
  marketsWithPendingThreadEntries(): string[];
  /** The pending DM due first, if one is due by `now`. */
  nextDueDm(now: number): OutboxEntry | undefined;
  /** Marks entries as being sent (or sent, or dropped); a sender claims before it talks to Discord. */
  mark(ids: readonly number[], state: 'sending' | 'sent' | 'dropped', at: number): void;
  /** Puts a claimed entry back to wait until `dueAt` with the notices still to send, counting one more unanswered send. */
  retry(id: number, dueAt: number, notices: readonly Notice[]): void;

  disabledKinds(realm: RealmId, userId: string): Set<NotificationKind>;
  setSwitch(realm: RealmId, userId: string, kind: NotificationKind, enabled: boolean): void;

  followers(marketId: string): string[];
  follows(marketId: string, userId: string): boolean;
  follow(marketId: string, userId: string, at: number): boolean;
  unfollow(marketId: string, userId: string): boolean;

  reminderAt(marketId: string, kind: string): number | undefined;
  setReminder(marketId: string, kind: string, at: number): void;
  /** Open markets (every realm) whose close time falls in (from, to]. */
  marketsClosingBetween(from: number, to: number): string[];
  /** Open markets (every realm) traded since `since`. */
  marketsTradedSince(since: number): string[];
  /** Closed, unresolved markets (every realm) closed at or before `before`. */
  marketsClosedUnresolvedSince(before: number): string[];

  /** Records a trader's reason for a move; false if that trade already has one. */
  saveMoveReason(requestId: string, marketId: string, userId: string, reason: string, at: number): boolean;
}
