import { z } from 'zod';
import type { EvidenceItem, HiddenBy, NewEvidence } from '../markets/evidence/evidence.ts';
import { STANCES } from '../markets/evidence/evidence.ts';
import type { EvidenceStore, MarketTexts } from '../markets/evidence/store.ts';
import type { MarketEdit } from '../markets/events.ts';
import type { Db } from './open.ts';
import { json, parseRow } from './rows.ts';

const evidenceRow = z
  .object({
    market_id: z.string(),
    number: z.number().int(),
    url: z.string(),
    stance: z.enum(STANCES),
    note: z.string().nullable(),
    added_by: z.string(),
    added_at: z.number().int(),
    prices_then: json(z.array(z.number())),
    hidden_by: z.string().nullable(),
    hidden_at: z.number().int().nullable(),
    hidden_reason: z.string().nullable(),
  })
  .transform(
    (row): EvidenceItem => ({
      marketId: row.market_id,
      number: row.number,
      url: row.url,
      stance: row.stance,
      note: row.note,
      addedBy: row.added_by,
      addedAt: row.added_at,
      pricesThen: row.prices_then,
      hidden: row.hidden_by === null || row.hidden_at === null || row.hidden_reason === null ? null : { by: row.hidden_by, at: row.hidden_at, reason: row.hidden_reason },
    }),
  );

const editRow = z
  .object({
    field: z.enum(['question', 'criteria', 'closes_at', 'tags']),
    old_value: z.string(),
    new_value: z.string(),
    reason: z.string().nullable(),
    edited_by: z.string(),
    edited_at: z.number().int(),
  })
  .transform(
    (row): MarketEdit => ({ field: row.field, from: row.old_value, to: row.new_value, reason: row.reason, editedBy: row.edited_by, editedAt: row.edited_at }),
  );

/** Evidence and market edits over SQLite. */
export class SqliteEvidenceStore implements EvidenceStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      nextNumber: db.prepare<[string], { next: number }>('SELECT COALESCE(MAX(number), 0) + 1 AS next FROM evidence WHERE market_id = ?'),
      insert: db.prepare(
        `INSERT INTO evidence (market_id, number, url, stance, note, added_by, added_at, prices_then)
         VALUES (@marketId, @number, @url, @stance, @note, @addedBy, @addedAt, @pricesThen)`,
      ),
      list: db.prepare<[string]>('SELECT * FROM evidence WHERE market_id = ? ORDER BY number DESC'),
      hide: db.prepare('UPDATE evidence SET hidden_by = ?, hidden_at = ?, hidden_reason = ? WHERE market_id = ? AND number = ?'),
      applyEdit: db.prepare('UPDATE markets SET question = ?, criteria = ?, closes_at = ?, tags = ? WHERE id = ?'),
      recordEdit: db.prepare(
        'INSERT INTO market_edits (market_id, field, old_value, new_value, reason, edited_by, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      edits: db.prepare<[string]>('SELECT * FROM market_edits WHERE market_id = ? ORDER BY id'),
    };
  }

  nextEvidenceNumber(marketId: string): number {
    return this.statements.nextNumber.get(marketId)?.next ?? 1;
  }

  insertEvidence(item: NewEvidence): void {
    this.statements.insert.run({ ...item, pricesThen: JSON.stringify(item.pricesThen) });
  }

  evidence(marketId: string): EvidenceItem[] {
    return this.statements.list.all(marketId).map((row) => parseRow(evidenceRow, 'evidence', row));
  }

  hideEvidence(marketId: string, number: number, hidden: HiddenBy): void {
    this.statements.hide.run(hidden.by, hidden.at, hidden.reason, marketId, number);
  }

  applyEdit(marketId: string, texts: MarketTexts): void {
    this.statements.applyEdit.run(texts.question, texts.criteria, texts.closesAt, JSON.stringify(texts.tags), marketId);
  }

  recordEdit(marketId: string, edit: MarketEdit): void {
    this.statements.recordEdit.run(marketId, edit.field, edit.from, edit.to, edit.reason, edit.editedBy, edit.editedAt);
  }

  edits(marketId: string): MarketEdit[] {
    return this.statements.edits.all(marketId).map((row) => parseRow(editRow, 'market_edits', row));
  }
}
