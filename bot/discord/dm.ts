import { type APIDMChannel, type APIGuild, type Client, messageLink, Routes } from 'discord.js';
import type { App } from '../commands/command.ts';
import { type DmPlace, dmMessages } from '../render/conversation.ts';
import type { Market } from '../../markets/market.ts';
import type { OutboxEntry } from '../../markets/notifications/store.ts';
import { CoalescingLanes } from './lanes.ts';
import { defuseCrowdPings, textBody } from './payload.ts';
import { isRefusal, isTransient } from './refusal.ts';

/**
 * DMs sent per pass at most: a market settled with thousands of holders would otherwise hold the jobs behind it (they
 * run one after another) and a stopping process for minutes. The next pass, a minute later at most, goes on.
 */
export const DMS_PER_PASS = 100;

/** A server whose name Discord would not give is asked again after this long, not for each DM of the pass. */
export const SERVER_NAME_RETRY_MS = 10 * 60 * 1000;

/**
 * Sends the DMs the outbox holds once they are due. Each is claimed before it is sent, so none goes twice, even across
 * a crash; a member whose DMs are closed (Discord's 50007) simply gets nothing, and a DM Discord left unanswered
 * (a 5xx, a timeout) is tried again later, a few times.
 */
export class DirectMessages {
  private readonly lanes: CoalescingLanes;
  /** Discord gives one DM channel per member; opening it again is a wasted request. */
  private readonly channels = new Map<string, string>();
  /** Servers' names, for those this process's shard does not hold. */
  private readonly serverNames = new Map<string, string>();
  /** Servers whose name Discord would not give, and when to ask again. */
  private readonly namesRefusedUntil = new Map<string, number>();

  constructor(
    private readonly client: Client,
    private readonly app: App,
    private readonly now: () => number,
  ) {
    this.lanes = new CoalescingLanes((_, error) => app.log('could not send direct messages', { error: String(error) }));
  }

  /**
   * Sends every DM due now, claiming each just before it goes, so a crash loses only the one in flight; resolves when
   * a pass that started after this call is done. Never rejects.
   */
  sendDue(): Promise<void> {
    return this.lanes.run('due', async () => {
      for (let sent = 0; sent < DMS_PER_PASS; sent++) {
        const entry = this.claimNext();
        if (entry === undefined) return;
        // The claim reaches the disk before the DM goes, so none goes twice, even after a power cut.
        await this.app.durable();
        await this.send(entry);
      }
    });
  }

  private claimNext(): OutboxEntry | undefined {
    return this.app.notifications.claimNextDm(this.now());
  }

  private async send(entry: OutboxEntry): Promise<void> {
    const market = this.app.views.marketByKey(entry.marketId)?.market;
    if (entry.userId === null || market === undefined) {
      this.app.notifications.finish([entry.id], false, this.now());
      return;
    }
    const previews = this.app.realms.values(entry.realm).linkPreviews;
    let told = 0;
    try {
      const channelId = await this.channelOf(entry.userId);
      const place = await this.placeOf(market);
      for (const message of dmMessages(market, entry.notices, previews, defuseCrowdPings, place)) {
        await this.client.rest.post(Routes.channelMessages(channelId), { body: textBody(message.content, previews) });
        told += message.notices;
      }
      this.app.notifications.finish([entry.id], true, this.now());
    } catch (error) {
      this.afterFailedSend(entry, told, error);
    }
  }

  /**
   * The server a market is in, by name, and a link to its card. The jobs' process sends every server's DMs, and holds
   * only its own shard's servers: another's name is asked of Discord once. A name Discord will not give is left out,
   * and not asked for again for a while.
   */
  private async placeOf(market: Market): Promise<DmPlace> {
    const { guildId, channelId, messageId } = market;
    if (guildId === null) return {};
    const cardUrl = channelId !== null && messageId !== null ? messageLink(channelId, messageId, guildId) : undefined;
    let server = this.client.guilds.cache.get(guildId)?.name ?? this.serverNames.get(guildId);
    if (server === undefined && (this.namesRefusedUntil.get(guildId) ?? Number.NEGATIVE_INFINITY) <= this.now()) {
      try {
        server = ((await this.client.rest.get(Routes.guild(guildId))) as APIGuild).name;
        this.serverNames.set(guildId, server);
      } catch (error) {
        this.namesRefusedUntil.set(guildId, this.now() + SERVER_NAME_RETRY_MS);
        this.app.log('could not read a server name for a DM', { guildId, error: String(error) });
      }
    }
    return { ...(server === undefined ? {} : { server }), ...(cardUrl === undefined ? {} : { cardUrl }) };
  }

  /**
   * What the member was told stays told: an unanswered send is tried again later with only the notices not yet sent,
   * and a refusal drops those (the entry counts as sent if any part of it went).
   */
  private afterFailedSend(entry: OutboxEntry, told: number, error: unknown): void {
    if (isTransient(error)) {
      const gaveUp = this.app.notifications.retryLater([{ ...entry, notices: entry.notices.slice(told) }], this.now()).length > 0;
      if (gaveUp) this.app.log('a direct message went unanswered too often and was dropped', { outbox: entry.id, error: String(error) });
      return;
    }
    this.app.notifications.finish([entry.id], told > 0, this.now());
    if (!isRefusal(error)) this.app.log('a direct message could not be sent', { outbox: entry.id, error: String(error) });
  }

  private async channelOf(userId: string): Promise<string> {
    const known = this.channels.get(userId);
    if (known !== undefined) return known;
    const channel = (await this.client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIDMChannel;
    this.channels.set(userId, channel.id);
    return channel.id;
  }
}
