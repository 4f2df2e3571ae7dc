import { type Client, Routes } from 'discord.js';
import type { App } from '../commands/command.ts';
import { marketActions, marketCard } from '../render/market-card.ts';
import { NO_MENTIONS, toMessage } from './payload.ts';

/** Redraws a market's posted card with its current prices and status (and drops its buttons once it stops trading). */
export async function redrawMarketCard(client: Client, app: App, marketId: string): Promise<void> {
  const view = app.views.marketByKey(marketId);
  if (!view) return;
  const { channelId, messageId } = view.market;
  if (channelId === null || messageId === null) return;
  const message = toMessage({ ephemeral: false, cards: [marketCard(view)], actions: marketActions(view), files: [] });
  await client.rest.patch(Routes.channelMessage(channelId, messageId), {
    body: { embeds: message.embeds.map((e) => e.toJSON()), components: message.components.map((c) => c.toJSON()), allowed_mentions: NO_MENTIONS },
  });
}

/** Per market: the redraw that has been asked for but not started, which everyone asking meanwhile shares. */
interface Lane {
  last: Promise<void>;
  queued: boolean;
}

/**
 * Card redraws coalesced per market: at most one PATCH in flight and one waiting. A busy market trades far faster
 * than Discord lets a bot edit messages (discord.js holds every bot to 50 requests a second), so redrawing once per
 * trade would queue edits without end, each showing a state already gone. A waiting redraw reads the market when it
 * starts, so the latest state wins and one edit stands for every trade made while the previous one was in flight.
 */
export class MarketCardRedraws {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly client: Client,
    private readonly app: App,
  ) {}

  /** Resolves once a redraw that started after this call has finished; never rejects (a failure is logged). */
  redraw(marketId: string): Promise<void> {
    const existing = this.lanes.get(marketId);
    if (existing?.queued) return existing.last;
    const lane = existing ?? { last: Promise.resolve(), queued: false };
    lane.queued = true;
    const drawn = lane.last.then(async () => {
      // From here on the market is read afresh, so a change made after this point needs a redraw of its own.
      lane.queued = false;
      await redrawMarketCard(this.client, this.app, marketId).catch((error: unknown) =>
        this.app.log('could not redraw a market card', { marketId, error: String(error) }),
      );
    });
    lane.last = drawn;
    this.lanes.set(marketId, lane);
    void drawn.then(() => {
      if (lane.last === drawn) this.lanes.delete(marketId);
    });
    return drawn;
  }
}
