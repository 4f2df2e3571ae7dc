import { type APIThreadChannel, type Client, DiscordAPIError, RESTJSONErrorCodes, Routes } from 'discord.js';
import type { App } from '../commands/command.ts';
import { noticeLine, packLines } from '../render/conversation.ts';
import { DISCORD_LIMITS, shorten } from '../render/limits.ts';
import type { Market } from '../../markets/market.ts';
import type { ThreadBatch } from '../../markets/notifications/service.ts';
import type { OutboxEntry } from '../../markets/notifications/store.ts';
import { CoalescingLanes } from './lanes.ts';
import { defuseCrowdPings, textBody } from './payload.ts';
import { atThreadLimit, isRefusal, isTransient, refusesOutright } from './refusal.ts';

/** A week: the longest a thread stays open without messages before Discord archives it. */
const AUTO_ARCHIVE_MINUTES = 10_080;

export interface MarketThreadHooks {
  /** Redraws the market's card (so it links to its thread). */
  redraw(marketId: string): Promise<void>;
  /** Tells the realm's moderators something once. */
  tellModerators(content: string, market: Market): Promise<void>;
  now(): number;
}

/**
 * A public thread on each market's card, and the lines posted in it from the outbox: each market's lines are posted
 * by one lane, so lines queued while a post is in flight go together in the next message.
 */
export class MarketThreads {
  private readonly lanes: CoalescingLanes;

  constructor(
    private readonly client: Client,
    private readonly app: App,
    private readonly hooks: MarketThreadHooks,
  ) {
    this.lanes = new CoalescingLanes((marketId, error) => app.log('could not post to a market thread', { marketId, error: String(error) }), {
      spacingMs: app.config.CRUX_CARD_REFRESH_SECONDS * 1000,
    });
  }

  /**
   * Opens the thread on a card just posted, where the server keeps threads; where Discord will not open one (no
   * permission, a card in a thread or a forum), says so once and carries on without. Never rejects: the reply that
   * posted the card has its answer already, and a thread Discord left unanswered is tried again by `flushAll`.
   */
  async cardPosted(marketId: string, channelId: string, messageId: string): Promise<void> {
    try {
      await this.openThread(marketId, channelId, messageId);
    } catch (error) {
      // At the server's thread limit the thread is asked for again at the next flush, as threads archive: no news.
      if (!atThreadLimit(error)) this.app.log('could not open a market thread', { marketId, error: String(error) });
    }
  }

  private async openThread(marketId: string, channelId: string, messageId: string): Promise<void> {
    const view = this.app.views.marketByKey(marketId);
    if (!view || !this.app.realms.values(view.market.realm).threadMode || this.app.notifications.thread(marketId) !== undefined) return;
    let threadId: string | null = null;
    let refusal: DiscordAPIError | undefined;
    try {
      threadId = await this.startThread(channelId, messageId, view.market.question);
    } catch (error) {
      if (!refusesOutright(error)) throw error;
      refusal = error;
    }
    const { tellModerators } = this.app.notifications.recordThread(marketId, threadId, this.hooks.now());
    if (tellModerators && refusal !== undefined) {
      const why = refusal.status === 403 ? 'it needs the Create Public Threads and Send Messages in Threads permissions' : `Discord said “${refusal.message}”`;
      await this.hooks.tellModerators(
        `ℹ️ Crux could not open a thread on the card of \`${view.market.slug}\`: ${why}. Markets carry on without threads; this is said once.`,
        view.market,
      );
    }
    if (threadId !== null) await this.hooks.redraw(marketId);
    await this.flush(marketId);
  }

  /**
   * Starts the thread on a card. One started before a crash kept it from being recorded is found instead: Discord
   * refuses a second (160004), and a message's thread has the message's id.
   */
  private async startThread(channelId: string, messageId: string, question: string): Promise<string> {
    try {
      const thread = (await this.client.rest.post(Routes.threads(channelId, messageId), {
        body: { name: shorten(question, DISCORD_LIMITS.threadName), auto_archive_duration: AUTO_ARCHIVE_MINUTES },
      })) as APIThreadChannel;
      return thread.id;
    } catch (error) {
      if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage)) throw error;
      const thread = (await this.client.rest.get(Routes.channel(messageId))) as APIThreadChannel;
      return thread.id;
    }
  }

  /** Posts the market's waiting lines; resolves once a post that started after this call is done. Never rejects. */
  flush(marketId: string): Promise<void> {
    return this.lanes.run(marketId, () => this.post(marketId));
  }

  /**
   * Every market with lines waiting (after a restart, or lines queued by jobs). A market whose card was posted before
   * Crux kept threads gets its thread now.
   */
  async flushAll(): Promise<void> {
    await Promise.all(
      this.app.notifications.marketsWithThreadLines().map(async (marketId) => {
        const market = this.app.views.marketByKey(marketId)?.market;
        if (market?.channelId && market.messageId && this.app.notifications.thread(marketId) === undefined) {
          await this.cardPosted(marketId, market.channelId, market.messageId);
          return;
        }
        await this.flush(marketId);
      }),
    );
  }

  private async post(marketId: string): Promise<void> {
    const batch = this.app.notifications.claimThreadBatch(marketId, this.hooks.now());
    if (batch === undefined) return;
    try {
      await this.postBatch(marketId, batch);
    } finally {
      this.app.notifications.threadBatchDone(marketId);
    }
  }

  private async postBatch(marketId: string, batch: ThreadBatch): Promise<void> {
    // The claim reaches the disk before the lines go, so none is posted twice, even after a power cut.
    await this.app.durable();
    const realm = batch.entries[0]?.realm;
    const previews = realm !== undefined && this.app.realms.values(realm).linkPreviews;
    const lines = batch.entries.flatMap((entry) => entry.notices.map((notice) => defuseCrowdPings(noticeLine(notice, previews))));
    let posted = 0;
    try {
      for (const message of packLines(lines)) {
        await this.client.rest.post(Routes.channelMessages(batch.threadId), { body: textBody(message.content, previews) });
        posted += message.lines;
      }
    } catch (error) {
      this.afterFailedPost(marketId, splitAt(batch.entries, posted), error);
      return;
    }
    this.app.notifications.finish(ids(batch.entries), true, this.hooks.now());
  }

  /**
   * Claimed lines are never posted twice: those posted are said; the rest wait to be tried again when Discord left
   * the post unanswered, and are lost when it refused it (a lost thread loses them).
   */
  private afterFailedPost(marketId: string, { said, rest }: { said: OutboxEntry[]; rest: OutboxEntry[] }, error: unknown): void {
    const now = this.hooks.now();
    this.app.notifications.finish(ids(said), true, now);
    if (isTransient(error)) {
      const gaveUp = this.app.notifications.retryLater(rest, now);
      if (gaveUp.length > 0) this.app.log('thread lines went unanswered too often and were dropped', { marketId, outbox: gaveUp, error: String(error) });
      return;
    }
    this.app.notifications.finish(ids(rest), false, now);
    if (!isRefusal(error)) throw error;
  }
}

const ids = (entries: readonly OutboxEntry[]) => entries.map((entry) => entry.id);

/**
 * A batch split after its first `posted` lines (one per notice): the entries posted whole, and the rest, where an
 * entry posted in part keeps only its notices not yet posted.
 */
function splitAt(entries: readonly OutboxEntry[], posted: number): { said: OutboxEntry[]; rest: OutboxEntry[] } {
  const said: OutboxEntry[] = [];
  const rest: OutboxEntry[] = [];
  let start = 0;
  for (const entry of entries) {
    const sent = Math.min(Math.max(posted - start, 0), entry.notices.length);
    start += entry.notices.length;
    if (sent === entry.notices.length) said.push(entry);
    else rest.push({ ...entry, notices: entry.notices.slice(sent) });
  }
  return { said, rest };
}
