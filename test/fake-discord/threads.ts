import { ChannelType } from 'discord.js';
import type { APIThreadChannel } from 'discord.js';
import { noFlags } from './payloads.ts';
import type { GuildTextChannel } from './payloads.ts';

/**
 * Public threads started from messages (`POST /channels/:id/messages/:mid/threads`). As on Discord, a thread started
 * from a message has the message's id, and its messages are sent to the thread's id like any channel's.
 */
export class ThreadChannels {
  readonly #threads = new Map<string, APIThreadChannel>();

  start(parent: GuildTextChannel, messageId: string, name: string, ownerId: string): APIThreadChannel {
    const thread: APIThreadChannel = {
      id: messageId,
      type: ChannelType.PublicThread,
      guild_id: parent.guild_id,
      parent_id: parent.id,
      name,
      owner_id: ownerId,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: noFlags(),
      thread_metadata: { archived: false, auto_archive_duration: 10080, archive_timestamp: new Date().toISOString(), locked: false },
      applied_tags: [],
    };
    this.#threads.set(thread.id, thread);
    return thread;
  }

  find(threadId: string): APIThreadChannel | undefined {
    return this.#threads.get(threadId);
  }

  /** Each message starts at most one thread. */
  startedFrom(messageId: string): APIThreadChannel | undefined {
    return this.#threads.get(messageId);
  }
}
