import { z } from 'zod';
import type { RecipientHistory } from '../markets/notifications/coalesce.ts';
import { type Notice, NOTIFICATION_KINDS, type NotificationKind, noticeSchema } from '../markets/notifications/notice.ts';
import type { MarketThread, NewOutboxEntry, NotificationStore, OutboxEntry } from '../markets/notifications/store.ts';
import type { RealmId } from '../markets/realms/realm.ts';
import type { Db } from './open.ts';
import { json, parseRow } from './rows.ts';

const storedNotices = json(z.array(noticeSchema));

const outboxRow = z
  .object({
    id: z.number().int(),
    realm: z.string(),
    market_id: z.string(),
    target: z.enum(['thread', 'dm']),
    user_id: z.string().nullable(),
    notices: storedNotices,
    created_at: z.number().int(),
    due_at: z.number().int(),
    attempts: z.number().int(),
  })
  .transform(
    (row): OutboxEntry => ({
      id: row.id,
      realm: row.realm,
      marketId: row.market_id,
      target: row.target,
      userId: row.user_id,
      notices: row.notices,
      createdAt: row.created_at,
      dueAt: row.due_at,
      attempts: row.attempts,
    }),
  );

const kindRow = z.object({ kind: z.enum(NOTIFICATION_KINDS) });

/** Threads, the outbox, members' switches, followers and reminders, over SQLite. */
export class SqliteNotificationStore implements NotificationStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      thread: db.prepare<[string], { thread_id: string | null; posting_since: number | null }>(
        'SELECT thread_id, posting_since FROM market_threads WHERE market_id = ?',
      ),
      setPostingSince: db.prepare('UPDATE market_threads SET posting_since = ? WHERE market_id = ?'),
      setThread: db.prepare(
        `INSERT INTO market_threads (market_id, thread_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (market_id) DO UPDATE SET thread_id = excluded.thread_id`,
      ),
      threadRefused: db.prepare<[string], { found: number }>(
        'SELECT 1 AS found FROM market_threads t JOIN markets m ON m.id = t.market_id WHERE m.realm = ? AND t.thread_id IS NULL LIMIT 1',
      ),
      enqueue: db.prepare(
        `INSERT INTO outbox (realm, market_id, target, user_id, notices, created_at, due_at)
         VALUES (@realm, @marketId, @target, @userId, @notices, @createdAt, @dueAt)`,
      ),
      notices: db.prepare<[number], { notices: string }>('SELECT notices FROM outbox WHERE id = ?'),
      setNotices: db.prepare('UPDATE outbox SET notices = ? WHERE id = ?'),
      pendingDm: db.prepare<[string, string], { id: number }>(
        `SELECT id FROM outbox WHERE target = 'dm' AND user_id = ? AND market_id = ? AND state = 'pending' ORDER BY id DESC LIMIT 1`,
      ),
      lastSent: db.prepare<[string, string], { at: number | null }>(
        `SELECT MAX(sent_at) AS at FROM outbox WHERE target = 'dm' AND user_id = ? AND market_id = ? AND state <> 'pending'`,
      ),
      pendingThread: db.prepare<[string]>(`SELECT * FROM outbox WHERE target = 'thread' AND market_id = ? AND state = 'pending' ORDER BY id`),
      threadMarkets: db.prepare<[], { market_id: string }>(
        `SELECT DISTINCT market_id FROM outbox WHERE target = 'thread' AND state = 'pending' ORDER BY market_id`,
      ),
      nextDueDm: db.prepare<[number]>(`SELECT * FROM outbox WHERE state = 'pending' AND target = 'dm' AND due_at <= ? ORDER BY due_at, id LIMIT 1`),
      mark: db.prepare('UPDATE outbox SET state = ?, sent_at = ? WHERE id = ?'),
      retry: db.prepare(`UPDATE outbox SET state = 'pending', due_at = ?, notices = ?, attempts = attempts + 1 WHERE id = ?`),
      disabled: db.prepare<[string, string]>('SELECT kind FROM notification_settings WHERE realm = ? AND user_id = ? AND enabled = 0'),
      setSwitch: db.prepare(
        `INSERT INTO notification_settings (realm, user_id, kind, enabled) VALUES (?, ?, ?, ?)
         ON CONFLICT (realm, user_id, kind) DO UPDATE SET enabled = excluded.enabled`,
      ),
      followers: db.prepare<[string], { user_id: string }>('SELECT user_id FROM market_followers WHERE market_id = ? ORDER BY user_id'),
      follows: db.prepare<[string, string], { found: number }>('SELECT 1 AS found FROM market_followers WHERE market_id = ? AND user_id = ?'),
      follow: db.prepare('INSERT OR IGNORE INTO market_followers (market_id, user_id, followed_at) VALUES (?, ?, ?)'),
      unfollow: db.prepare('DELETE FROM market_followers WHERE market_id = ? AND user_id = ?'),
      reminderAt: db.prepare<[string, string], { at: number }>('SELECT at FROM market_reminders WHERE market_id = ? AND kind = ?'),
      setReminder: db.prepare(
        'INSERT INTO market_reminders (market_id, kind, at) VALUES (?, ?, ?) ON CONFLICT (market_id, kind) DO UPDATE SET at = excluded.at',
      ),
      closingBetween: db.prepare<[number, number], { id: string }>(
        `SELECT id FROM markets WHERE status = 'open' AND closes_at > ? AND closes_at <= ? ORDER BY closes_at, id`,
      ),
      tradedSince: db.prepare<[number], { id: string }>(
        `SELECT m.id FROM markets m WHERE m.status = 'open' AND EXISTS (
           SELECT 1 FROM ledger l WHERE l.market_id = m.id AND l.reason IN ('buy', 'sell') AND l.at > ?
         ) ORDER BY m.id`,
      ),
      saveReason: db.prepare('INSERT OR IGNORE INTO move_reasons (request_id, market_id, user_id, reason, at) VALUES (?, ?, ?, ?, ?)'),
      closedSince: db.prepare<[number], { id: string }>(
        `SELECT id FROM markets WHERE status = 'closed' AND closed_at IS NOT NULL AND closed_at <= ? ORDER BY closed_at, id`,
      ),
    };
  }

  thread(marketId: string): MarketThread | undefined {
    const row = this.statements.thread.get(marketId);
    return row === undefined ? undefined : { threadId: row.thread_id, postingSince: row.posting_since };
  }

  setPostingSince(marketId: string, since: number | null): void {
    this.statements.setPostingSince.run(since, marketId);
  }

  setThread(marketId: string, threadId: string | null, at: number): void {
    this.statements.setThread.run(marketId, threadId, at);
  }

  threadRefusedBefore(realm: RealmId): boolean {
    return this.statements.threadRefused.get(realm) !== undefined;
  }

  enqueue(entry: NewOutboxEntry): number {
    return Number(this.statements.enqueue.run({ ...entry, notices: JSON.stringify(entry.notices) }).lastInsertRowid);
  }

  appendNotices(outboxId: number, notices: readonly Notice[]): void {
    const row = this.statements.notices.get(outboxId);
    if (row === undefined) throw new Error(`outbox entry ${outboxId} vanished`);
    const current = parseRow(storedNotices, 'outbox', row.notices);
    this.statements.setNotices.run(JSON.stringify([...current, ...notices]), outboxId);
  }

  recipientHistory(userId: string, marketId: string): RecipientHistory {
    return {
      pendingId: this.statements.pendingDm.get(userId, marketId)?.id ?? null,
      lastSentAt: this.statements.lastSent.get(userId, marketId)?.at ?? null,
    };
  }

  pendingThreadEntries(marketId: string): OutboxEntry[] {
    return this.statements.pendingThread.all(marketId).map((row) => parseRow(outboxRow, 'outbox', row));
  }

  marketsWithPendingThreadEntries(): string[] {
    return this.statements.threadMarkets.all().map((row) => row.market_id);
  }

  nextDueDm(now: number): OutboxEntry | undefined {
    const row = this.statements.nextDueDm.get(now);
    return row === undefined ? undefined : parseRow(outboxRow, 'outbox', row);
  }

  mark(ids: readonly number[], state: 'sending' | 'sent' | 'dropped', at: number): void {
    for (const id of ids) this.statements.mark.run(state, at, id);
  }

  retry(id: number, dueAt: number, notices: readonly Notice[]): void {
    this.statements.retry.run(dueAt, JSON.stringify(notices), id);
  }

  disabledKinds(realm: RealmId, userId: string): Set<NotificationKind> {
    return new Set(this.statements.disabled.all(realm, userId).map((row) => parseRow(kindRow, 'notification_settings', row).kind));
  }

  setSwitch(realm: RealmId, userId: string, kind: NotificationKind, enabled: boolean): void {
    this.statements.setSwitch.run(realm, userId, kind, enabled ? 1 : 0);
  }

  followers(marketId: string): string[] {
    return this.statements.followers.all(marketId).map((row) => row.user_id);
  }

  follows(marketId: string, userId: string): boolean {
    return this.statements.follows.get(marketId, userId) !== undefined;
  }

  follow(marketId: string, userId: string, at: number): boolean {
    return this.statements.follow.run(marketId, userId, at).changes === 1;
  }

  unfollow(marketId: string, userId: string): boolean {
    return this.statements.unfollow.run(marketId, userId).changes === 1;
  }

  reminderAt(marketId: string, kind: string): number | undefined {
    return this.statements.reminderAt.get(marketId, kind)?.at;
  }

  setReminder(marketId: string, kind: string, at: number): void {
    this.statements.setReminder.run(marketId, kind, at);
  }

  marketsClosingBetween(from: number, to: number): string[] {
    return this.statements.closingBetween.all(from, to).map((row) => row.id);
  }

  marketsTradedSince(since: number): string[] {
    return this.statements.tradedSince.all(since).map((row) => row.id);
  }

  marketsClosedUnresolvedSince(before: number): string[] {
    return this.statements.closedSince.all(before).map((row) => row.id);
  }

  saveMoveReason(requestId: string, marketId: string, userId: string, reason: string, at: number): boolean {
    return this.statements.saveReason.run(requestId, marketId, userId, reason, at).changes === 1;
  }
}
