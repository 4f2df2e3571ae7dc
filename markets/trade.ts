import { CruxError } from './errors.ts';
import { costOfShares, sharesForAmount } from './lmsr.ts';
import { currentPrices, type Market, maxLiability, shareVector } from './market.ts';
import { chargeInMillis, formatCredits, type Millis, proceedsInMillis, sharesInMillis } from './money.ts';

export type TradeSide = 'buy' | 'sell';

/** A trade fully priced in integers, before anything is committed. */
export interface Quote {
  side: TradeSide;
  outcome: number;
  /** Milli-shares bought or sold (always positive). */
  shares: Millis;
  /** Millis the trader pays (buy) or receives (sell). */
  cash: Millis;
  /** Credits paid or received per share. */
  averagePrice: number;
  pricesBefore: number[];
  pricesAfter: number[];
  outstandingAfter: Millis[];
  poolAfter: Millis;
}

function withShares(outstanding: readonly Millis[], outcome: number, delta: Millis): Millis[] {
  return outstanding.map((held, i) => (i === outcome ? held + delta : held));
}

/** What a quote is made from besides the market's opening shares and liquidity: a replay remakes it from these. */
export type QuoteBasis = Pick<Quote, 'side' | 'outcome' | 'shares' | 'cash' | 'outstandingAfter' | 'poolAfter'>;

type PricedMarket = Pick<Market, 'openingShares' | 'liquidity' | 'outstanding' | 'pool'>;

/** The quote for a change of `delta` milli-shares of one outcome, priced at `cash`, on `market` as it stood before. */
function quoteFor(market: PricedMarket, outcome: number, delta: Millis, cash: Millis): Quote {
  const side: TradeSide = delta > 0 ? 'buy' : 'sell';
  const shares = Math.abs(delta);
  const outstandingAfter = withShares(market.outstanding, outcome, delta);
  return {
    side,
    outcome,
    shares,
    cash,
    averagePrice: cash / shares,
    pricesBefore: currentPrices(market),
    pricesAfter: currentPrices({ openingShares: market.openingShares, outstanding: outstandingAfter, liquidity: market.liquidity }),
    outstandingAfter,
    poolAfter: side === 'buy' ? market.pool + cash : market.pool - cash,
  };
}

/**
 * Prices a change of `delta` milli-shares of one outcome in integers. A buy costs the LMSR cost rounded
 * up, a sell pays the LMSR proceeds rounded down, and both are then held to the solvency rule — the pool
 * always covers the largest payout — so float error can never cost the maker more than its subsidy.
 */
function priceChange(market: Market, outcome: number, delta: Millis): Quote {
  const costInCredits = costOfShares(shareVector(market), market.liquidity, outcome, delta / 1000);
  const liabilityAfter = maxLiability(withShares(market.outstanding, outcome, delta));
  const cash =
    delta > 0
      ? Math.max(chargeInMillis(costInCredits), liabilityAfter - market.pool)
      : Math.max(0, Math.min(proceedsInMillis(-costInCredits), market.pool - liabilityAfter));
  // Rounding down can leave a tiny sell paying nothing: shares would vanish for no credits.
  if (cash === 0) {
    const [trade, pays] = delta > 0 ? ['buy', 'cost'] : ['sell', 'pay'];
    throw new CruxError(
      'amount_too_small',
      `That ${trade} of ${market.outcomes[outcome]} shares would ${pays} 0 credits (amounts are rounded to 0.001 credits), so nothing was traded. Trade more shares.`,
    );
  }
  return quoteFor(market, outcome, delta, cash);
}

/** Of a quote, what a trade's request id keeps: its integers, without the prices (two floats per outcome). */
export function quoteBasis({ side, outcome, shares, cash, outstandingAfter, poolAfter }: Quote): QuoteBasis {
  return { side, outcome, shares, cash, outstandingAfter, poolAfter };
}

/**
 * The quote a basis was taken from, exactly: the market it was priced on is the one after it with the trade taken
 * back, and the prices follow from that market's shares by the same arithmetic.
 */
export function remakeQuote(market: Pick<Market, 'openingShares' | 'liquidity'>, basis: QuoteBasis): Quote {
  const buying = basis.side === 'buy';
  const delta = buying ? basis.shares : -basis.shares;
  const before: PricedMarket = {
    openingShares: market.openingShares,
    liquidity: market.liquidity,
    outstanding: withShares(basis.outstandingAfter, basis.outcome, -delta),
    pool: buying ? basis.poolAfter - basis.cash : basis.poolAfter + basis.cash,
  };
  return quoteFor(before, basis.outcome, delta, basis.cash);
}

function assertOutcome(market: Market, outcome: number): void {
  if (!Number.isInteger(outcome) || outcome < 0 || outcome >= market.outcomes.length) {
    throw new CruxError('unknown_outcome', `Market \`${market.id}\` has no outcome #${outcome + 1}.`);
  }
}

function assertPositiveMillis(value: Millis, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CruxError('invalid_input', `${what} must be a positive amount.`);
  }
}

/** Buy as many whole milli-shares as `amount` millis pays for, never charging more than `amount`. */
export function quoteBuyForAmount(market: Market, outcome: number, amount: Millis): Quote {
  assertOutcome(market, outcome);
  assertPositiveMillis(amount, 'The amount');
  let shares = sharesInMillis(sharesForAmount(shareVector(market), market.liquidity, outcome, amount / 1000));
  // Rounding the cost up can push it a milli past the amount; step the shares down until it fits.
  while (shares > 0) {
    const quote = priceChange(market, outcome, shares);
    if (quote.cash <= amount) return quote;
    // Each milli-share removed saves about its marginal price in millis.
    const marginalPrice = quote.pricesAfter[outcome] ?? 1;
    shares -= Math.max(1, Math.ceil((quote.cash - amount) / marginalPrice));
  }
  throw new CruxError('amount_too_small', `${formatCredits(amount)} credits does not buy any shares of that outcome.`);
}

export function quoteBuyShares(market: Market, outcome: number, shares: Millis): Quote {
  assertOutcome(market, outcome);
  assertPositiveMillis(shares, 'The number of shares');
  return priceChange(market, outcome, shares);
}

export function quoteSell(market: Market, outcome: number, shares: Millis, held: Millis): Quote {
  assertOutcome(market, outcome);
  assertPositiveMillis(shares, 'The number of shares');
  if (shares > held) {
    throw new CruxError(
      'insufficient_shares',
      `You hold ${formatCredits(held)} shares of ${market.outcomes[outcome]}; you cannot sell ${formatCredits(shares)}.`,
    );
  }
  return priceChange(market, outcome, -shares);
}

/**
 * The slippage guard: a buy is refused if it would move the outcome's price above `limit`, a sell if it
 * would move it below. Prices are probabilities in (0, 1).
 */
export function assertWithinLimit(quote: Quote, limit: number | undefined): void {
  if (limit === undefined) return;
  const after = quote.pricesAfter[quote.outcome] ?? 0;
  const breached = quote.side === 'buy' ? after > limit : after < limit;
  if (breached) {
    const percent = (p: number) => `${(p * 100).toFixed(1)}%`;
    throw new CruxError(
      'slippage',
      `This trade would move the price to ${percent(after)}, past your limit of ${percent(limit)}. Nothing was traded.`,
    );
  }
}
