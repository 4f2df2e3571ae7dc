import { type Client, Routes } from 'discord.js';
import type { App } from '../commands/command.ts';
import { marketActions, marketCard } from '../render/market-card.ts';
import { replyWith } from '../reply.ts';
import { CoalescingLanes } from './lanes.ts';
import { NO_MENTIONS, toMessage } from './payload.ts';
import { postReply } from './post.ts';
import type { MarketThreads } from './threads.ts';

/**
 * Remembers where a market's card was posted, so price moves can edit it, and opens its thread. A market has one card:
 * one posted while another post of it was on its way (the job that posts missing cards beside a slow open, or two
 * processes running that job) is taken down again, since it would never be redrawn yet keep its live bet buttons.
 */
export async function recordPostedCard(
  { client, app, threads }: { client: Client; app: App; threads: MarketThreads },
  marketId: string,
  channelId: string,
  messageId: string,
): Promise<boolean> {
  if (!app.service.recordMarketMessage(marketId, channelId, messageId)) {
    await client.rest.delete(Routes.channelMessage(channelId, messageId));
    return false;
  }
  await threads.cardPosted(marketId, channelId, messageId);
  return true;
}

/**
 * Posts a market's card, with its bet buttons, as a new message of `channelId` (a channel of the market's own server,
 * which postReply checks) and records it. False when the market is gone or has a card by now (one that appeared while
 * this one was posted is kept, and this one taken down).
 */
export async function postMarketCard(client: Client, app: App, threads: MarketThreads, marketId: string, channelId: string): Promise<boolean> {
  const view = app.views.marketByKey(marketId);
  if (!view || view.market.messageId !== null) return false;
  const posted = await postReply(client, view.market.realm, channelId, replyWith({ cards: [marketCard(view)], actions: marketActions(view) }));
  return recordPostedCard({ client, app, threads }, marketId, posted.channelId, posted.messageId);
}

/** Redraws a market's posted card with its current prices and status (and drops its buttons once it stops trading). */
export async function redrawMarketCard(client: Client, app: App, marketId: string): Promise<void> {
  const view = app.views.marketByKey(marketId);
  if (!view) return;
  const { channelId, messageId } = view.market;
  if (channelId === null || messageId === null) return;
  const message = toMessage({ ephemeral: false, cards: [marketCard(view)], actions: marketActions(view), files: [] });
  await client.rest.patch(Routes.channelMessage(channelId, messageId), {
    body: { embeds: message.embeds, components: message.components.map((c) => c.toJSON()), allowed_mentions: NO_MENTIONS },
  });
}

/**
 * Card redraws coalesced per market (see CoalescingLanes): a busy market trades far faster than Discord lets a bot
 * edit messages (discord.js holds every bot to 50 requests a second, and Discord limits edits in each channel), so
 * redrawing once per trade would queue edits without end, each showing a state already gone. The latest state wins,
 * at most once per CRUX_CARD_REFRESH_SECONDS.
 */
export class MarketCardRedraws {
  private readonly lanes: CoalescingLanes;

  constructor(
    private readonly client: Client,
    private readonly app: App,
  ) {
    this.lanes = new CoalescingLanes((marketId, error) => app.log('could not redraw a market card', { marketId, error: String(error) }), {
      spacingMs: app.config.CRUX_CARD_REFRESH_SECONDS * 1000,
    });
  }

  /** Resolves once a redraw that started after this call has finished; never rejects (a failure is logged). */
  redraw(marketId: string): Promise<void> {
    return this.lanes.run(marketId, () => redrawMarketCard(this.client, this.app, marketId));
  }
}
