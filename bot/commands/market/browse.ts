import { z } from 'zod';
import { marketActions, marketCard, marketLine } from '../../render/market-card.ts';
import { truncate } from '../../render/format.ts';
import { sourceLines } from '../../render/source-status.ts';
import { sourceWarning } from '../../source-checker.ts';
import type { MarketView } from '../../../markets/views.ts';
import { type OutsideSeries, type PriceHistory, renderPriceHistoryChart } from '../../render/charts.ts';
import { platformName } from '../../../markets/resolution/decide.ts';
import type { OutsideReading } from '../../../markets/sources/odds.ts';
import { type Attachment, type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions } from '../command.ts';

/** The card with its price history drawn as a chart image under it. */
export async function showMarket(invocation: Invocation, app: App): Promise<Reply> {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const view = app.views.market(invocation.realm, market);
  const chart: Attachment = { name: `${view.market.slug}-prices.png`, data: await renderPriceHistoryChart(priceHistoryOf(view, app, invocation.now)) };
  const sources = sourceLines(view.links, app.resolution.sourceStatuses(view.market.id), (link) => sourceWarning(link.kind, app.config));
  return replyWith({ cards: [{ ...marketCard(view, sources), image: chart.name }], actions: marketActions(view), files: [chart] });
}

/** Drawn up to when trading stopped, or up to now while the market still trades. */
function priceHistoryOf(view: MarketView, app: App, now: number): PriceHistory {
  const { market } = view;
  return {
    question: market.question,
    outcomes: market.outcomes,
    points: app.views.priceHistory(market.id).map(({ at, prices }) => ({ at, probabilities: prices })),
    endAt: market.closedAt ?? Math.min(now, market.closesAt),
    outside: outsideSeries(app.resolution.outsideOdds(market.id).history),
  };
}

/** Each platform's readings as one series, in the order the platforms were first read. */
function outsideSeries(readings: readonly OutsideReading[]): OutsideSeries[] {
  const byKind = new Map<string, OutsideSeries['points'][number][]>();
  for (const { kind, at, probabilities } of readings) byKind.set(kind, [...(byKind.get(kind) ?? []), { at, probabilities }]);
  return [...byKind].map(([kind, points]) => ({ label: platformName(kind), points }));
}

const STATUSES = ['open', 'closed', 'resolved', 'cancelled', 'all'] as const;

export function listMarkets(invocation: Invocation, app: App): Reply {
  const { status } = parseOptions(
    z.object({ status: z.enum(STATUSES, { error: `one of ${STATUSES.join(', ')}` }).default('open') }),
    invocation,
  );
  const views = app.views.list({ realm: invocation.realm, limit: 20, ...(status === 'all' ? {} : { status }) });
  return replyWith({
    cards: [
      {
        title: `Markets — ${status}`,
        color: 0x3b82f6,
        description: views.length > 0 ? truncate(views.map(marketLine).join('\n'), 4000) : `No ${status === 'all' ? '' : `${status} `}markets yet.`,
        footer: 'Use /market show to see one, /bet to trade.',
      },
    ],
  });
}

export const STATUS_CHOICES = STATUSES.map((s) => ({ name: s, value: s }));
