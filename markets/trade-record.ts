import { z } from 'zod';

const millis = z.number().int();

/**
 * What a trade's request id keeps (written in the trade's own commit, see MarketService): the result without its
 * market, and of its quote only the integers that remake it. Records kept before the quote was trimmed hold the whole
 * quote, of which these are part.
 */
export const tradeRecord = z.object({
  marketId: z.string(),
  quote: z.object({
    side: z.enum(['buy', 'sell']),
    outcome: z.number().int().nonnegative(),
    shares: millis.nonnegative(),
    cash: millis.nonnegative(),
    outstandingAfter: z.array(millis.nonnegative()),
    poolAfter: millis,
  }),
  balance: millis,
  position: millis.nonnegative(),
  // Kept only for a sale that paid back spent settlement credits (see MarketService.repaySpentReceipts).
  repaid: millis.nonnegative().optional(),
});

export type TradeRecord = z.infer<typeof tradeRecord>;

/** The trade a request applied, from the result its request row keeps; undefined when that request was no trade. */
export function parseTradeRecord(result: string): TradeRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(result);
  } catch {
    return undefined;
  }
  const parsed = tradeRecord.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
