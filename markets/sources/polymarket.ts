import { z } from 'zod';
import { apiUrl, fetchJson, parseJson } from './http.ts';
import { httpUrlSchema, linkWithoutQuery, pathSegments, refused, slugSchema, validatedRef } from './ref.ts';
import type { OutsideOdd, PlatformDefinition, RefParse, SourceCheck, SourceHttp } from './types.ts';

export const POLYMARKET_DEFAULT_BASE_URL = 'https://gamma-api.polymarket.com';

const SITE_HOSTS = new Set(['polymarket.com', 'www.polymarket.com']);
const SOURCE_NAME = 'Polymarket';
/** Settlement payouts are written exactly like this; a price that merely rounds to them is still trading. */
const WINNING_PRICE = '1';
const LOSING_PRICE = '0';
/** Polymarket's "resolves 50-50" for questions it cannot call: settled, but with no winner. */
const EVEN_SPLIT_PRICE = '0.5';

export const polymarketRefSchema = z.object({
  kind: z.literal('polymarket'),
  slug: slugSchema,
  url: httpUrlSchema,
});

export type PolymarketRef = z.infer<typeof polymarketRefSchema>;

/** Gamma sends `outcomes` and `outcomePrices` as JSON text inside the JSON reply, e.g. "[\"Yes\", \"No\"]". */
const jsonEncodedStrings = z
  .string()
  .transform((text, context) => {
    const decoded = parseJson(text);
    if (!decoded.ok) {
      context.addIssue({ code: 'custom', message: 'expected a JSON-encoded list of strings' });
      return z.NEVER;
    }
    return decoded.value;
  })
  .pipe(z.array(z.string()));

/** The fields of Gamma's `GET /markets/slug/{slug}` that decide a check; the dozens of others are ignored. */
const polymarketMarketSchema = z.object({
  id: z.string(),
  question: z.string(),
  closed: z.boolean(),
  umaResolutionStatus: z.string().nullish(),
  outcomes: jsonEncodedStrings,
  outcomePrices: jsonEncodedStrings.optional(),
});

type PolymarketMarket = z.infer<typeof polymarketMarketSchema>;

/**
 * polymarket.com/event/<event>/<market>, polymarket.com/market/<market>, and polymarket.com/event/<event> for
 * single-market events, whose one market shares the event's slug.
 */
function recogniseUrl(url: URL): RefParse<PolymarketRef> | undefined {
  if (!SITE_HOSTS.has(url.hostname)) return undefined;
  const slug = marketSlugFromPath(pathSegments(url));
  if (slug === undefined) {
    return refused(
      'That Polymarket link is not a market. Expected polymarket.com/event/<event>/<market> or polymarket.com/market/<market>.',
    );
  }
  return validatedRef(polymarketRefSchema, { kind: 'polymarket', slug, url: linkWithoutQuery(url) }, 'Polymarket link');
}

function marketSlugFromPath([section, first, second, ...rest]: readonly string[]): string | undefined {
  if (first === undefined || rest.length > 0) return undefined;
  if (section === 'event') return second ?? first;
  if (section === 'market' && second === undefined) return first;
  return undefined;
}

function parseBareId(text: string): RefParse<PolymarketRef> {
  return validatedRef(
    polymarketRefSchema,
    { kind: 'polymarket', slug: text, url: `https://polymarket.com/market/${text}` },
    `"${text}" is not a Polymarket market slug`,
  );
}

async function checkPolymarket(ref: PolymarketRef, http: SourceHttp): Promise<SourceCheck> {
  const url = apiUrl(http.baseUrl ?? POLYMARKET_DEFAULT_BASE_URL, `markets/slug/${encodeURIComponent(ref.slug)}`);
  const reply = await fetchJson(url, http, SOURCE_NAME, polymarketMarketSchema);
  if (!reply.ok) return { kind: 'error', message: reply.message };
  return judgeMarket(reply.value);
}

/**
 * Terminal only once trading is closed and UMA's answer is final. Even then the outcome is read from settlement
 * payouts of exactly 1 and 0: a last traded price of 0.9995 is a bet, not a result.
 */
function judgeMarket(market: PolymarketMarket): SourceCheck {
  const name = `Polymarket "${market.question}"`;
  const prices = market.outcomePrices;
  if (prices !== undefined && prices.length !== market.outcomes.length) {
    return {
      kind: 'error',
      message: `${name} lists ${market.outcomes.length} outcomes but ${prices.length} prices; not read.`,
    };
  }
  const quoted = prices === undefined ? '' : `; prices ${describePrices(market.outcomes, prices)}`;
  if (!market.closed) return { kind: 'pending', detail: `${name}: open${quoted}.`, ...tradingOdds(market.outcomes, prices) };
  if (market.umaResolutionStatus !== 'resolved') {
    const uma = market.umaResolutionStatus ?? 'not started';
    return { kind: 'pending', detail: `${name}: closed, UMA resolution ${uma}${quoted}.` };
  }
  if (prices === undefined) return { kind: 'error', message: `${name} is resolved but Polymarket gives no payouts.` };
  const winner = winningOutcome(market.outcomes, prices);
  if (winner !== undefined) return { kind: 'outcome', label: winner, detail: `${name} resolved "${winner}".` };
  if (prices.every((price) => price === EVEN_SPLIT_PRICE)) {
    return { kind: 'manual', detail: `${name} resolved 50-50 (no winner).` };
  }
  return { kind: 'pending', detail: `${name}: resolved, waiting for settlement prices${quoted}.` };
}

function winningOutcome(outcomes: readonly string[], prices: readonly string[]): string | undefined {
  if (!prices.every((price) => price === WINNING_PRICE || price === LOSING_PRICE)) return undefined;
  const winners = outcomes.filter((_, index) => prices[index] === WINNING_PRICE);
  return winners.length === 1 ? winners[0] : undefined;
}

/** An open market's last prices as its odds; a price that is not a number in [0, 1] leaves the market without any. */
function tradingOdds(outcomes: readonly string[], prices: readonly string[] | undefined): { odds?: OutsideOdd[] } {
  if (prices === undefined) return {};
  const odds = outcomes.map((label, index) => ({ label, probability: Number(prices[index]) }));
  return odds.every(({ probability }) => Number.isFinite(probability) && probability >= 0 && probability <= 1) ? { odds } : {};
}

function describePrices(outcomes: readonly string[], prices: readonly string[]): string {
  return outcomes.map((outcome, index) => `${outcome} ${prices[index]}`).join(', ');
}

export const polymarketSource = {
  refSchema: polymarketRefSchema,
  recogniseUrl,
  parseBareId,
  check: checkPolymarket,
} satisfies PlatformDefinition<PolymarketRef>;
