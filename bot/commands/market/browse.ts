import { z } from 'zod';
import { marketActions, marketCard, marketLine } from '../../render/market-card.ts';
import { truncate } from '../../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions } from '../command.ts';

export function showMarket(invocation: Invocation, app: App): Reply {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const view = app.views.market(market);
  return replyWith({ cards: [marketCard(view)], actions: marketActions(view) });
}

const STATUSES = ['open', 'closed', 'resolved', 'cancelled', 'all'] as const;

export function listMarkets(invocation: Invocation, app: App): Reply {
  const { status } = parseOptions(
    z.object({ status: z.enum(STATUSES, { error: `one of ${STATUSES.join(', ')}` }).default('open') }),
    invocation,
  );
  const views = app.views.list({ guildId: invocation.guildId, limit: 20, ...(status === 'all' ? {} : { status }) });
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
