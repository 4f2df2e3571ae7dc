import { z } from 'zod';
import type { Payment } from '../markets/settlement/payouts.ts';
import type { SettlementStore } from '../markets/settlement/store.ts';
import type { Dispute, DisputeStatus, SettlementRecord } from '../markets/settlement/types.ts';
import type { Db } from './open.ts';
import { parseRow, percentsColumn, percentsToStore, resolvedRow } from './rows.ts';

const epoch = z.number().int();

const settlementRow = z
  .object({
    id: z.number().int(),
    market_id: z.string(),
    outcome: z.number().int().nonnegative().nullable(),
    probabilities: percentsColumn,
    decided_by: z.string(),
    evidence: z.string(),
    decided_at: epoch,
    window_ends_at: epoch,
    decider_held_position: z.union([z.literal(0), z.literal(1)]),
    status: z.enum(['pending', 'applied', 'superseded']),
    needs_second: z.union([z.literal(0), z.literal(1)]),
    seconded_by: z.string().nullable(),
    applied_at: epoch.nullable(),
    upheld_by: z.string().nullable(),
    announced_at: epoch.nullable(),
  })
  .transform(
    (row): SettlementRecord => ({
      id: row.id,
      marketId: row.market_id,
      ...resolvedRow(row.outcome, row.probabilities),
      decidedBy: row.decided_by,
      evidence: row.evidence,
      decidedAt: row.decided_at,
      windowEndsAt: row.window_ends_at,
      deciderHeldPosition: row.decider_held_position === 1,
      status: row.status,
      needsSecond: row.needs_second === 1,
      secondedBy: row.seconded_by,
      appliedAt: row.applied_at,
      upheldBy: row.upheld_by,
      announcedAt: row.announced_at,
    }),
  );

const disputeRow = z
  .object({
    id: z.number().int(),
    settlement_id: z.number().int(),
    user_id: z.string(),
    reason: z.string(),
    evidence: z.string().nullable(),
    created_at: epoch,
    status: z.enum(['open', 'overruled', 'superseded']),
    notified_at: epoch.nullable(),
  })
  .transform(
    (row): Dispute => ({
      id: row.id,
      settlementId: row.settlement_id,
      userId: row.user_id,
      reason: row.reason,
      evidence: row.evidence,
      createdAt: row.created_at,
      status: row.status,
      notifiedAt: row.notified_at,
    }),
  );

const paidRow = z.object({ user_id: z.string(), amount: z.number().int() });

/** Settlements and disputes over SQLite. */
export class SqliteSettlementStore implements SettlementStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO settlements (market_id, outcome, probabilities, decided_by, evidence, decided_at, window_ends_at, decider_held_position, status, needs_second, seconded_by, applied_at, upheld_by, announced_at)
         VALUES (@marketId, @outcome, @probabilities, @decidedBy, @evidence, @decidedAt, @windowEndsAt, @deciderHeldPosition, @status, @needsSecond, @secondedBy, @appliedAt, @upheldBy, @announcedAt)`,
      ),
      find: db.prepare<[number]>('SELECT * FROM settlements WHERE id = ?'),
      pendingFor: db.prepare<[string]>(`SELECT * FROM settlements WHERE market_id = ? AND status = 'pending'`),
      latestFor: db.prepare<[string]>(`SELECT * FROM settlements WHERE market_id = ? AND status <> 'superseded' ORDER BY id DESC LIMIT 1`),
      supersede: db.prepare<[number]>(`UPDATE settlements SET status = 'superseded' WHERE id = ? AND status = 'pending'`),
      second: db.prepare<[string, number, number]>(`UPDATE settlements SET seconded_by = ?, window_ends_at = ? WHERE id = ? AND status = 'pending'`),
      markApplied: db.prepare<[number, string | null, number]>(
        `UPDATE settlements SET status = 'applied', applied_at = ?, upheld_by = ? WHERE id = ? AND status = 'pending'`,
      ),
      // With an id, whether that one settlement is due still (the job asks again inside the transaction that applies it).
      dueToApply: db.prepare<{ now: number; id: number | null }>(
        `SELECT * FROM settlements s WHERE s.status = 'pending' AND s.window_ends_at <= @now AND (s.needs_second = 0 OR s.seconded_by IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.settlement_id = s.id AND d.status = 'open')
           AND (@id IS NULL OR s.id = @id)
         ORDER BY s.window_ends_at, s.id`,
      ),
      unannounced: db.prepare(`SELECT * FROM settlements WHERE status = 'applied' AND announced_at IS NULL ORDER BY id`),
      markAnnounced: db.prepare<[number, number]>('UPDATE settlements SET announced_at = ? WHERE id = ? AND announced_at IS NULL'),
      // A settlement's rows all carry the moment it was applied; a correction or reinstatement of the market moves money at its own moment.
      paid: db.prepare<[string, number]>(
        `SELECT a.user_id, SUM(l.amount) AS amount FROM ledger l JOIN accounts a ON a.id = l.to_account
         WHERE l.market_id = ? AND l.at = ? AND l.reason IN ('payout', 'refund') GROUP BY a.user_id ORDER BY MIN(l.id)`,
      ),
      returned: db.prepare<[string, number], { amount: number }>(
        `SELECT COALESCE(SUM(amount), 0) AS amount FROM ledger WHERE market_id = ? AND at = ? AND reason = 'settle'`,
      ),
      lastTradeAt: db.prepare<[string, string], { at: number | null }>(
        `SELECT MAX(at) AS at FROM ledger WHERE market_id = ? AND holder = ? AND reason IN ('buy', 'sell')`,
      ),
      insertDispute: db.prepare(
        `INSERT INTO disputes (settlement_id, user_id, reason, evidence, created_at, status, notified_at)
         VALUES (@settlementId, @userId, @reason, @evidence, @createdAt, @status, @notifiedAt)`,
      ),
      findDispute: db.prepare<[number]>('SELECT * FROM disputes WHERE id = ?'),
      disputeBy: db.prepare<[number, string]>('SELECT * FROM disputes WHERE settlement_id = ? AND user_id = ?'),
      disputesOf: db.prepare<[number]>('SELECT * FROM disputes WHERE settlement_id = ? ORDER BY id'),
      closeDisputes: db.prepare<[DisputeStatus, number]>(`UPDATE disputes SET status = ? WHERE settlement_id = ? AND status = 'open'`),
      unnotified: db.prepare('SELECT * FROM disputes WHERE notified_at IS NULL ORDER BY id'),
      markNotified: db.prepare<[number, number]>('UPDATE disputes SET notified_at = ? WHERE id = ? AND notified_at IS NULL'),
    };
  }

  insert(record: Omit<SettlementRecord, 'id'>, outcomeCount: number): number {
    return Number(
      this.statements.insert.run({ ...record, probabilities: percentsToStore(record, outcomeCount), deciderHeldPosition: record.deciderHeldPosition ? 1 : 0, needsSecond: record.needsSecond ? 1 : 0 }).lastInsertRowid,
    );
  }

  find(id: number): SettlementRecord | undefined {
    return settlement(this.statements.find.get(id));
  }

  pendingFor(marketId: string): SettlementRecord | undefined {
    return settlement(this.statements.pendingFor.get(marketId));
  }

  latestFor(marketId: string): SettlementRecord | undefined {
    return settlement(this.statements.latestFor.get(marketId));
  }

  supersede(id: number): void {
    this.statements.supersede.run(id);
    this.statements.closeDisputes.run('superseded', id);
  }

  second(id: number, secondedBy: string, windowEndsAt: number): void {
    this.statements.second.run(secondedBy, windowEndsAt, id);
  }

  markApplied(id: number, at: number, upheldBy: string | null): boolean {
    return this.statements.markApplied.run(at, upheldBy, id).changes === 1;
  }

  dueToApply(now: number): SettlementRecord[] {
    return this.statements.dueToApply.all({ now, id: null }).map((row) => parseRow(settlementRow, 'settlements', row));
  }

  isDueToApply(id: number, now: number): boolean {
    return this.statements.dueToApply.all({ now, id }).length > 0;
  }

  unannounced(): SettlementRecord[] {
    return this.statements.unannounced.all().map((row) => parseRow(settlementRow, 'settlements', row));
  }

  markAnnounced(id: number, at: number): void {
    this.statements.markAnnounced.run(at, id);
  }

  paidOut(marketId: string, appliedAt: number): { paid: Payment[]; returned: number } {
    const paid = this.statements.paid.all(marketId, appliedAt).map((row) => {
      const parsed = parseRow(paidRow, 'ledger', row);
      return { userId: parsed.user_id, amount: parsed.amount };
    });
    return { paid, returned: this.statements.returned.get(marketId, appliedAt)?.amount ?? 0 };
  }

  lastTradeAt(marketId: string, userId: string): number | undefined {
    return this.statements.lastTradeAt.get(marketId, userId)?.at ?? undefined;
  }

  insertDispute(dispute: Omit<Dispute, 'id'>): number {
    return Number(this.statements.insertDispute.run(dispute).lastInsertRowid);
  }

  findDispute(id: number): Dispute | undefined {
    return dispute(this.statements.findDispute.get(id));
  }

  disputeBy(settlementId: number, userId: string): Dispute | undefined {
    return dispute(this.statements.disputeBy.get(settlementId, userId));
  }

  disputesOf(settlementId: number): Dispute[] {
    return this.statements.disputesOf.all(settlementId).map((row) => parseRow(disputeRow, 'disputes', row));
  }

  closeDisputes(settlementId: number, status: Exclude<DisputeStatus, 'open'>): void {
    this.statements.closeDisputes.run(status, settlementId);
  }

  unnotifiedDisputes(): Dispute[] {
    return this.statements.unnotified.all().map((row) => parseRow(disputeRow, 'disputes', row));
  }

  markDisputeNotified(id: number, at: number): void {
    this.statements.markNotified.run(at, id);
  }
}

function settlement(row: unknown): SettlementRecord | undefined {
  return row === undefined ? undefined : parseRow(settlementRow, 'settlements', row);
}

function dispute(row: unknown): Dispute | undefined {
  return row === undefined ? undefined : parseRow(disputeRow, 'disputes', row);
}
