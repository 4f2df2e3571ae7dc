import { z } from 'zod';
import { inCommitOrder, SEQ_PER_ENTRY, type SequencedForecast, toScoredMarket } from './forecasts.ts';
import { LEDGER_REASONS } from './ledger.ts';
import { type PricePoint, ProbabilityVectorSchema, type ScoredMarket } from './scoring/index.ts';

/**
 * The rows Crux exports, one schema each, shared by the writers (which build them) and the re-import (which parses
 * them), so a file written by one version is read back by the same definition. Times are ISO 8601 UTC with
 * milliseconds, so every instant round-trips exactly; money is integer milli-credits, as in the ledger.
 */

const isoTime = z.iso.datetime().transform((text) => Date.parse(text));
const probabilities = ProbabilityVectorSchema;

/** What a market is and how it ended; the ledger export carries these, since the ledger does not record them. */
export const MarketFactsRowSchema = z.object({
  market_id: z.string().min(1),
  guild_id: z.string().nullable(),
  question: z.string(),
  outcomes: z.array(z.string()).min(2),
  status: z.enum(['open', 'closed', 'resolved', 'cancelled']),
  created_by: z.string(),
  created_at: isoTime,
  closes_at: isoTime,
  closed_at: isoTime.nullable(),
  resolved_outcome: z.string().nullable(),
  /** 0-based index into outcomes; the name above is for people, the index for programs. */
  resolved_outcome_index: z.int().nonnegative().nullable(),
  /** Each outcome's probability the resolution paid (SCORING_DEFINITIONS.probabilityResolution); [0, 1] for a certain No. */
  resolved_probabilities: probabilities.nullable(),
  resolved_at: isoTime.nullable(),
  liquidity: z.number().positive(),
  /** The market this one is conditional on and the outcome it assumes; null for an ordinary market. */
  condition_market_id: z.string().nullable(),
  condition_outcome: z.string().nullable(),
});

/**
 * The markets export: the facts, for resolved markets the crowd's scores (null otherwise), and per platform the
 * newest odds read from a linked market of it, in the market's outcome order, with when (null where none map).
 */
export const MarketExportRowSchema = MarketFactsRowSchema.extend({
  /** Every settlement decided for the market, oldest first (SCORING_DEFINITIONS.settlements): who decided it, */
  settlements_decided_by: z.array(z.string()),
  /** 1 where that decider held shares of the market (or traded it within the server's recusal days) when deciding, */
  settlements_decider_held_position: z.array(z.union([z.literal(0), z.literal(1)])),
  /** and whether it was applied, is still pending, or was superseded by a later decision. */
  settlements_status: z.array(z.enum(['pending', 'applied', 'superseded'])),
  crowd_brier: z.number().nullable(),
  crowd_log_score: z.number().nullable(),
  crowd_final_brier: z.number().nullable(),
  crowd_final_log_score: z.number().nullable(),
  manifold_probabilities: probabilities.nullable(),
  manifold_at: isoTime.nullable(),
  metaculus_probabilities: probabilities.nullable(),
  metaculus_at: isoTime.nullable(),
  polymarket_probabilities: probabilities.nullable(),
  polymarket_at: isoTime.nullable(),
});

export const ForecastExportRowSchema = z.object({
  user_id: z.string().min(1),
  market_id: z.string().min(1),
  /** The server whose market it is (null: the console's). */
  guild_id: z.string().nullable(),
  at: isoTime,
  source: z.enum(['trade', 'stated']),
  /** The forecast's place in commit order (SCORING_DEFINITIONS.order). */
  seq: z.int().positive(),
  probabilities,
});

export const LedgerExportRowSchema = z.object({
  entry_id: z.int().positive(),
  /** The server whose credits moved (null: the console's, or a member's account from before realms). */
  guild_id: z.string().nullable(),
  at: isoTime,
  from_account: z.string(),
  to_account: z.string(),
  amount_millis: z.int().nonnegative(),
  reason: z.enum(LEDGER_REASONS),
  market_id: z.string().nullable(),
  holder: z.string().nullable(),
  outcome: z.int().nonnegative().nullable(),
  shares_millis: z.int().nullable(),
  prices_after: probabilities.nullable(),
});

/**
 * The JSON ledger export: the ledger, plus the two things a score needs that the ledger does not record (each
 * market's outcomes and resolution, and forecasts stated without trading). Scores recomputed from it alone equal
 * Crux's own.
 */
export const LedgerExportSchema = z.object({
  export: z.literal('ledger'),
  generated_at: z.iso.datetime(),
  definitions: z.record(z.string(), z.string()),
  markets: z.array(MarketFactsRowSchema),
  stated_forecasts: z.array(ForecastExportRowSchema.extend({ source: z.literal('stated') })),
  entries: z.array(LedgerExportRowSchema),
});

export type MarketFactsRow = z.input<typeof MarketFactsRowSchema>;
export type MarketExportRow = z.input<typeof MarketExportRowSchema>;
export type ForecastExportRow = z.input<typeof ForecastExportRowSchema>;
export type LedgerExportRow = z.input<typeof LedgerExportRowSchema>;
export type LedgerExport = z.output<typeof LedgerExportSchema>;

export interface ReplayedLedger {
  /** Resolved markets only: the only kind that is scored. */
  readonly markets: ScoredMarket[];
  /** Forecasts made by trading (the prices right after each buy or sell) and stated ones, in commit order. */
  readonly forecasts: SequencedForecast[];
  /** Per market, its opening price and the price after each trade, in ledger order. */
  readonly pricePaths: Map<string, PricePoint[]>;
}

/** Rebuilds what scoring needs from a parsed ledger export, with the same rules the database reads follow. */
export function replayLedgerExport(ledger: LedgerExport): ReplayedLedger {
  const markets = ledger.markets.flatMap((row) => {
    const scored = toScoredMarket({
      id: row.market_id,
      outcomes: row.outcomes,
      status: row.status,
      createdAt: row.created_at,
      closesAt: row.closes_at,
      closedAt: row.closed_at,
      resolvedAt: row.resolved_at,
      resolvedOutcome: row.resolved_outcome_index,
      resolvedProbabilities: row.resolved_probabilities,
    });
    return scored ? [scored] : [];
  });
  const forecasts: SequencedForecast[] = [];
  const pricePaths = new Map<string, PricePoint[]>();
  for (const entry of ledger.entries) {
    if (entry.market_id === null || entry.prices_after === null) continue;
    const point = { at: entry.at, probabilities: entry.prices_after };
    const path = pricePaths.get(entry.market_id);
    if (path) path.push(point);
    else pricePaths.set(entry.market_id, [point]);
    if ((entry.reason === 'buy' || entry.reason === 'sell') && entry.holder !== null) {
      forecasts.push({ userId: entry.holder, marketId: entry.market_id, ...point, seq: entry.entry_id * SEQ_PER_ENTRY });
    }
  }
  for (const stated of ledger.stated_forecasts) {
    forecasts.push({ userId: stated.user_id, marketId: stated.market_id, at: stated.at, probabilities: stated.probabilities, seq: stated.seq });
  }
  return { markets, forecasts: forecasts.sort(inCommitOrder), pricePaths };
}
