import { type Client, Routes } from 'discord.js';
import type { App } from '../commands/command.ts';
import { marketActions, marketCard } from '../render/market-card.ts';
import { NO_MENTIONS, toMessage } from './payload.ts';

/** Redraws a market's posted card with its current prices and status (and drops its buttons once it stops trading). */
export async function redrawMarketCard(client: Client, app: App, marketId: string): Promise<void> {
  const view = app.views.market(marketId);
  const { channelId, messageId } = view.market;
  if (channelId === null || messageId === null) return;
  const message = toMessage({ ephemeral: false, cards: [marketCard(view)], actions: marketActions(view), files: [] });
  await client.rest.patch(Routes.channelMessage(channelId, messageId), {
    body: { embeds: message.embeds.map((e) => e.toJSON()), components: message.components.map((c) => c.toJSON()), allowed_mentions: NO_MENTIONS },
  });
}
