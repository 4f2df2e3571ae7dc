import { z } from 'zod';
import type { Account } from '../markets/ledger.ts';
import { LEDGER_REASONS, type RecordedLedgerEntry } from '../markets/ledger.ts';
import type { Market, Resolution } from '../markets/market.ts';
import { percentsOf, resolvedFromPercents } from '../markets/settlement/distribution.ts';

/**
 * Rows are parsed, not trusted: a corrupt row (bad JSON, a wrong type) becomes a clear error naming the
 * table and row instead of a wrong number flowing into the engine.
 */
export class CorruptRowError extends Error {
  override readonly name = 'CorruptRowError';
}

/** A JSON text checked against `schema`; undefined, with the issue added, when it is not JSON or does not fit. */
function parseJsonText<S extends z.ZodType>(schema: S, text: string, ctx: z.RefinementCtx): { value: z.output<S> } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'unexpected JSON' });
    return undefined;
  }
  return { value: parsed.data };
}

export function json<S extends z.ZodType>(schema: S) {
  return z.string().transform((text, ctx): z.output<S> => {
    const parsed = parseJsonText(schema, text, ctx);
    return parsed === undefined ? z.NEVER : parsed.value;
  });
}

/** How many texts a `repeatedJson` column remembers before it starts afresh. */
const REMEMBERED_TEXTS = 1_000;

/**
 * `json` for a column whose texts repeat from row to row and never change in place (a market's outcomes, opening
 * shares and tags, read again by every trade): each text is parsed and checked once, and its value, frozen so no
 * reader can change it under another, is shared by every row that holds it.
 */
export function repeatedJson<S extends z.ZodType>(schema: S) {
  const known = new Map<string, z.output<S>>();
  return z.string().transform((text, ctx): z.output<S> => {
    const seen = known.get(text);
    if (seen !== undefined) return seen;
    const parsed = parseJsonText(schema, text, ctx);
    if (parsed === undefined) return z.NEVER;
    if (known.size >= REMEMBERED_TEXTS) known.clear();
    Object.freeze(parsed.value);
    known.set(text, parsed.value);
    return parsed.value;
  });
}

const millis = z.number().int();
const epoch = z.number().int();

/** A stored distribution of a resolution: whole percents per outcome (see migration 012). */
export const percentsColumn = json(z.array(z.number().int().min(0).max(100))).nullable();

export const marketRow = z
  .object({
    id: z.string(),
    realm: z.string(),
    slug: z.string(),
    guild_id: z.string().nullable(),
    channel_id: z.string().nullable(),
    message_id: z.string().nullable(),
    question: z.string(),
    criteria: z.string(),
    outcomes: repeatedJson(z.array(z.string()).min(2)),
    liquidity: z.number().positive(),
    opening_shares: repeatedJson(z.array(z.number())),
    outstanding: json(z.array(millis.nonnegative())),
    subsidy: millis.nonnegative(),
    pool: millis,
    status: z.enum(['open', 'closed', 'resolved', 'cancelled']),
    created_by: z.string(),
    created_at: epoch,
    closes_at: epoch,
    closed_at: epoch.nullable(),
    resolved_outcome: z.number().int().nullable(),
    resolved_probabilities: percentsColumn,
    resolved_by: z.string().nullable(),
    resolution_evidence: z.string().nullable(),
    resolved_at: epoch.nullable(),
    tags: repeatedJson(z.array(z.string())),
  })
  .refine((row) => row.opening_shares.length === row.outcomes.length && row.outstanding.length === row.outcomes.length, {
    message: 'outcome vectors differ in length',
  })
  .transform(
    (row): Market => ({
      id: row.id,
      realm: row.realm,
      slug: row.slug,
      guildId: row.guild_id,
      channelId: row.channel_id,
      messageId: row.message_id,
      question: row.question,
      criteria: row.criteria,
      outcomes: row.outcomes,
      liquidity: row.liquidity,
      openingShares: row.opening_shares,
      outstanding: row.outstanding,
      subsidy: row.subsidy,
      pool: row.pool,
      status: row.status,
      createdBy: row.created_by,
      createdAt: row.created_at,
      closesAt: row.closes_at,
      closedAt: row.closed_at,
      resolution:
        row.resolved_at === null || row.resolved_by === null
          ? null
          : {
              ...resolvedRow(row.resolved_outcome, row.resolved_probabilities),
              decidedBy: row.resolved_by,
              evidence: row.resolution_evidence ?? '',
              at: row.resolved_at,
            },
      tags: row.tags,
    }),
  );

/** A stored outcome and distribution as the domain has them: a certain distribution is an ordinary resolution. */
export function resolvedRow(outcome: number | null, percents: readonly number[] | null): Pick<Resolution, 'outcome' | 'probabilities'> {
  return outcome === null ? { outcome: null } : resolvedFromPercents(outcome, percents);
}

/** What is stored for a verdict: every outcome's percent (NULL when cancelling). */
export function percentsToStore(verdict: Pick<Resolution, 'outcome' | 'probabilities'> | null | undefined, outcomeCount: number): string | null {
  if (verdict === null || verdict === undefined || verdict.outcome === null) return null;
  return JSON.stringify(percentsOf({ outcome: verdict.outcome, probabilities: verdict.probabilities }, outcomeCount));
}

export const accountRow = z
  .object({
    id: z.string(),
    kind: z.enum(['mint', 'user', 'market']),
    realm: z.string().nullable(),
    display_name: z.string().nullable(),
    balance: millis,
    allowance_day: z.string().nullable(),
    created_at: epoch,
  })
  .transform(
    (row): Account => ({
      id: row.id,
      kind: row.kind,
      realm: row.realm,
      displayName: row.display_name,
      balance: row.balance,
      allowanceDay: row.allowance_day,
      createdAt: row.created_at,
    }),
  );

export const ledgerRow = z
  .object({
    id: z.number().int(),
    at: epoch,
    from_account: z.string(),
    to_account: z.string(),
    amount: millis.nonnegative(),
    reason: z.enum(LEDGER_REASONS),
    market_id: z.string().nullable(),
    holder: z.string().nullable(),
    outcome: z.number().int().nullable(),
    shares: millis.nullable(),
    prices_after: json(z.array(z.number())).nullable(),
    request_id: z.string().nullable(),
  })
  .transform(
    (row): RecordedLedgerEntry => ({
      id: row.id,
      at: row.at,
      from: row.from_account,
      to: row.to_account,
      amount: row.amount,
      reason: row.reason,
      marketId: row.market_id,
      holder: row.holder,
      outcome: row.outcome,
      shares: row.shares,
      pricesAfter: row.prices_after,
      requestId: row.request_id,
    }),
  );

/** Parses one row with a schema, naming the table and key when it does not fit. */
export function parseRow<S extends z.ZodType>(schema: S, table: string, row: unknown): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const key = typeof row === 'object' && row !== null && 'id' in row ? String(row.id) : '?';
  const issue = parsed.error.issues[0];
  throw new CorruptRowError(`Corrupt row in ${table} (id ${key}): ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
}
