import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from './open.ts';

/** What the ledger gives as of one of its rows: enough to verify only the rows after it. */
export interface LedgerSummary {
  /** The last ledger row summarised (0: none). */
  ledgerId: number;
  /** Every account the rows name, with the balance they give it. */
  balances: ReadonlyMap<string, number>;
  /** Per market, the shares outstanding per outcome that its rows give. */
  outstanding: ReadonlyMap<string, readonly number[]>;
  /** Per realm, what the rows brought into it from outside it. */
  inflows: ReadonlyMap<string, number>;
}

export const EMPTY_SUMMARY: LedgerSummary = { ledgerId: 0, balances: new Map(), outstanding: new Map(), inflows: new Map() };

const integer = z.number().int();
const storedSummary = z.object({
  ledgerId: integer.nonnegative(),
  balances: z.array(z.tuple([z.string(), integer])),
  outstanding: z.array(z.tuple([z.string(), z.array(integer)])),
  inflows: z.array(z.tuple([z.string(), integer])),
});

const byKey = <V>(entries: Iterable<[string, V]>): [string, V][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** One text per summary (entries sorted by key), so its checksum does not depend on the order things were folded. */
export function encodeSummary(summary: LedgerSummary): string {
  return JSON.stringify({
    ledgerId: summary.ledgerId,
    balances: byKey(summary.balances),
    outstanding: byKey(summary.outstanding),
    inflows: byKey(summary.inflows),
  });
}

export function checksumOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export type CheckpointRead = { ok: true; summary: LedgerSummary } | { ok: false; problem: string };

/**
 * The stored checkpoint (the empty summary when none was taken yet), refused when its checksum fails, it cannot be
 * read, or it summarises rows past the ledger's last (`lastLedgerId`): rows it counted are gone.
 */
export function readCheckpoint(db: Db, lastLedgerId: number): CheckpointRead {
  const row = db.prepare<[], { summary: string; checksum: string; ledger_id: number }>('SELECT summary, checksum, ledger_id FROM ledger_checkpoint WHERE id = 1').get();
  if (row === undefined) return { ok: true, summary: EMPTY_SUMMARY };
  if (checksumOf(row.summary) !== row.checksum) return { ok: false, problem: `the ledger checkpoint at entry ${row.ledger_id} fails its checksum` };
  let parsed;
  try {
    parsed = storedSummary.parse(JSON.parse(row.summary));
  } catch {
    return { ok: false, problem: `the ledger checkpoint at entry ${row.ledger_id} cannot be read` };
  }
  if (parsed.ledgerId !== row.ledger_id) return { ok: false, problem: `the ledger checkpoint says entry ${row.ledger_id} but summarises entry ${parsed.ledgerId}` };
  if (parsed.ledgerId > lastLedgerId) {
    return { ok: false, problem: `the ledger checkpoint summarises entries up to ${parsed.ledgerId} but the ledger ends at ${lastLedgerId}` };
  }
  return {
    ok: true,
    summary: { ledgerId: parsed.ledgerId, balances: new Map(parsed.balances), outstanding: new Map(parsed.outstanding), inflows: new Map(parsed.inflows) },
  };
}

/**
 * Keeps `summary` as the checkpoint in place of the last one, unless that one is further along (a start-up in
 * another process may have moved it past what a long full check saw).
 */
export function saveCheckpoint(db: Db, summary: LedgerSummary, now: number): void {
  const text = encodeSummary(summary);
  db.prepare(
    `INSERT INTO ledger_checkpoint (id, ledger_id, summary, checksum, taken_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET ledger_id = excluded.ledger_id, summary = excluded.summary, checksum = excluded.checksum, taken_at = excluded.taken_at
     WHERE excluded.ledger_id > ledger_checkpoint.ledger_id`,
  ).run(summary.ledgerId, text, checksumOf(text), now);
}
