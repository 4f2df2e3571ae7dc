import { z } from 'zod';
import { apiUrl, FAILURE_REASONS, failedCheck, type Fetched, type FetchFailure, fetchJson, notUnderstood, parseJson } from './http.ts';
import { normaliseLabel } from './outcome.ts';
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
/**
 * UMA's answer is final: `resolved`, or `settled` once the payouts are made. Every other status (`requested`,
 * `proposed`, `disputed`, a status not known yet) is still on its way.
 */
const FINAL_UMA_STATUSES = new Set(['resolved', 'settled']);

export const polymarketRefSchema = z.object({
  kind: z.literal('polymarket'),
  /** A market's slug; with `scope: 'event'`, an event's, whose markets are each one of the Crux market's outcomes. */
  slug: slugSchema,
  scope: z.literal('event').optional(),
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

/**
 * The fields of Gamma's `GET /markets/slug/{slug}` that decide a check; the dozens of others are ignored. Polymarket's
 * own clients declare `question` and `closed` nullable, so a null is read as "not said", never as a broken reply.
 */
const polymarketMarketSchema = z.object({
  id: z.string(),
  slug: z.string().nullish(),
  question: z.string().nullish(),
  /** A market's name within its event ("Anthropic" of "Which lab first…?"). */
  groupItemTitle: z.string().nullish(),
  closed: z.boolean().nullish(),
  umaResolutionStatus: z.string().nullish(),
  outcomes: jsonEncodedStrings,
  outcomePrices: jsonEncodedStrings.nullish(),
});

type PolymarketMarket = z.infer<typeof polymarketMarketSchema>;

/** `GET /events?slug={slug}`: a list of at most one event, with its markets. */
const polymarketEventsSchema = z.array(z.object({ slug: z.string(), title: z.string().nullish(), markets: z.array(polymarketMarketSchema) }));

type PolymarketEvent = z.infer<typeof polymarketEventsSchema>[number];

/** One market of an event, as offered to a moderator linking the event. */
export interface PolymarketEventMarket {
  readonly name: string;
  readonly slug: string;
  readonly link: string;
}

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

/** The event a link names without naming one of its markets (polymarket.com/event/<event>); undefined otherwise. */
export function polymarketEventOnly(ref: PolymarketRef): string | undefined {
  if (ref.scope === 'event') return undefined;
  const [section, event, market] = pathSegments(new URL(ref.url));
  return section === 'event' && event !== undefined && market === undefined ? event : undefined;
}

/** An event whose markets are each one of the Crux market's outcomes, checked as one source. */
export function polymarketEventRef(event: string): PolymarketRef {
  return { kind: 'polymarket', slug: event, scope: 'event', url: `https://polymarket.com/event/${event}` };
}

function parseBareId(text: string): RefParse<PolymarketRef> {
  return validatedRef(
    polymarketRefSchema,
    { kind: 'polymarket', slug: text, url: `https://polymarket.com/market/${text}` },
    `"${text}" is not a Polymarket market slug`,
  );
}

async function checkPolymarket(ref: PolymarketRef, http: SourceHttp): Promise<SourceCheck> {
  if (ref.scope === 'event') {
    const event = await fetchEvent(ref.slug, http);
    return event.ok ? judgeEvent(event.value) : failedCheck(event);
  }
  const url = apiUrl(http.baseUrl ?? POLYMARKET_DEFAULT_BASE_URL, `markets/slug/${encodeURIComponent(ref.slug)}`);
  const reply = await fetchJson(url, http, SOURCE_NAME, polymarketMarketSchema);
  if (reply.ok) return judgeMarket(reply.value);
  const event = reply.status === 404 ? polymarketEventOnly(ref) : undefined;
  return event === undefined ? failedCheck(reply) : severalMarkets(event, http, reply);
}

/**
 * An event link whose slug is no market's: an event of several markets (linked before Crux asked which). Says so,
 * naming its markets, rather than "not found" for ever.
 */
async function severalMarkets(event: string, http: SourceHttp, notFound: FetchFailure): Promise<SourceCheck> {
  const markets = await polymarketEventMarkets(event, http);
  if (markets === undefined || markets.length === 0) return failedCheck(notFound);
  return {
    kind: 'error',
    message: `Polymarket event "${event}" has ${markets.length} markets; link one of them (/mod link): ${markets.map((m) => `${m.name} <${m.link}>`).join(', ')}.`,
    reason: 'an event of several markets: link one',
  };
}

async function fetchEvent(slug: string, http: SourceHttp): Promise<Fetched<PolymarketEvent>> {
  const url = apiUrl(http.baseUrl ?? POLYMARKET_DEFAULT_BASE_URL, `events?slug=${encodeURIComponent(slug)}`);
  const reply = await fetchJson(url, http, SOURCE_NAME, polymarketEventsSchema);
  if (!reply.ok) return reply;
  const [event] = reply.value;
  if (event === undefined) return { ok: false, message: `Polymarket has no event "${slug}" (${url}).`, reason: FAILURE_REASONS.notFound };
  return { ok: true, value: event };
}

/**
 * The markets of the event `slug` names, when it is an event of several markets; an empty list for a one-market
 * event (its link is its market's), undefined when Polymarket cannot be read now.
 */
export async function polymarketEventMarkets(slug: string, http: SourceHttp): Promise<readonly PolymarketEventMarket[] | undefined> {
  const event = await fetchEvent(slug, http);
  if (!event.ok) return undefined;
  const { markets } = event.value;
  if (markets.length < 2) return [];
  return markets.map((market) => {
    const slug = market.slug ?? market.id;
    return { name: marketName(market), slug, link: `https://polymarket.com/event/${event.value.slug}/${slug}` };
  });
}

/** The name a market goes by within its event, or on its own. */
function marketName(market: PolymarketMarket): string {
  return market.groupItemTitle || market.question || `market ${market.id}`;
}

/**
 * An event whose markets are the Crux market's outcomes: each is a Yes/No market on one of them. It has a winner
 * once every market is final and exactly one paid Yes; until then the Yes prices are its odds.
 */
function judgeEvent(event: PolymarketEvent): SourceCheck {
  const name = `Polymarket "${event.title ?? event.slug}"`;
  if (event.markets.length === 0) return notUnderstood(`${name} has no markets.`);
  const checks = event.markets.map((market) => ({ market, check: judgeMarket(market) }));
  const failed = checks.find(({ check }) => check.kind === 'error');
  if (failed !== undefined) return failed.check;
  if (checks.some(({ check }) => check.kind === 'pending')) {
    const odds = checks.flatMap(({ market }) => yesOdd(market));
    return { kind: 'pending', detail: `${name}: ${event.markets.filter((m) => !isFinal(m)).length} of its ${event.markets.length} markets not final yet.`, ...(odds.length === event.markets.length ? { odds } : {}) };
  }
  const winners = checks.filter(({ check }) => check.kind === 'outcome' && normaliseLabel(check.label) === 'yes');
  const [winner] = winners;
  if (winner !== undefined && winners.length === 1) {
    const label = marketName(winner.market);
    return { kind: 'outcome', label, detail: `${name} resolved "${label}".` };
  }
  return { kind: 'manual', detail: `${name} resolved with ${winners.length} of its markets paying Yes, not one.` };
}

function yesOdd(market: PolymarketMarket): OutsideOdd[] {
  const yes = market.outcomes.findIndex((outcome) => normaliseLabel(outcome) === 'yes');
  const probability = Number(market.outcomePrices?.[yes]);
  return yes >= 0 && Number.isFinite(probability) && probability >= 0 && probability <= 1 ? [{ label: marketName(market), probability }] : [];
}

function isFinal(market: PolymarketMarket): boolean {
  return market.closed !== false && FINAL_UMA_STATUSES.has(market.umaResolutionStatus ?? '');
}

/**
 * Terminal only once trading is closed and UMA's answer is final. Even then the outcome is read from settlement
 * payouts of exactly 1 and 0: a last traded price of 0.9995 is a bet, not a result.
 */
function judgeMarket(market: PolymarketMarket): SourceCheck {
  const name = `Polymarket "${market.question ?? marketName(market)}"`;
  const prices = market.outcomePrices ?? undefined;
  if (prices !== undefined && prices.length !== market.outcomes.length) {
    return notUnderstood(`${name} lists ${market.outcomes.length} outcomes but ${prices.length} prices; not read.`);
  }
  const quoted = prices === undefined ? '' : `; prices ${describePrices(market.outcomes, prices)}`;
  if (!isFinal(market)) {
    const uma = market.umaResolutionStatus;
    // A null `closed` says nothing: with no UMA process under way either, the market is taken to be trading.
    if (market.closed === false || (market.closed !== true && (uma === undefined || uma === null))) {
      return { kind: 'pending', detail: `${name}: open${quoted}.`, ...tradingOdds(market.outcomes, prices) };
    }
    return { kind: 'pending', detail: `${name}: ${market.closed === true ? 'closed' : 'trading state not given'}, UMA resolution ${uma ?? 'not started'}${quoted}.` };
  }
  if (prices === undefined) return notUnderstood(`${name} is resolved but Polymarket gives no payouts.`);
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
