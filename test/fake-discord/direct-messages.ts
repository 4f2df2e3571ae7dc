import { ChannelType } from 'discord.js';
import type { APIDMChannel, APIUser } from 'discord.js';
import { nextSnowflake } from './snowflake.ts';

/**
 * DM channels: the bot's own with each user (opened by `POST /users/@me/channels` or by the user writing to the
 * bot), and each user's private channel with someone else, which only a user-installed app's commands reach.
 */
export class DirectMessageChannels {
  readonly #byRecipient = new Map<string, APIDMChannel>();
  readonly #privateByUser = new Map<string, APIDMChannel>();
  readonly #closed = new Set<string>();

  /** The bot's DM with `recipient`; one per recipient, as on Discord. */
  open(recipient: APIUser): APIDMChannel {
    return remembered(this.#byRecipient, recipient.id, () => dmChannel([recipient]));
  }

  /** A channel the bot may use: only its own DMs, never a private channel of users among themselves. */
  find(channelId: string): APIDMChannel | undefined {
    return [...this.#byRecipient.values()].find((channel) => channel.id === channelId);
  }

  /** The user no longer takes DMs from the bot (privacy settings, or no server in common): sends answer 50007. */
  closeFor(userId: string): void {
    this.#closed.add(userId);
  }

  /** Whether the bot may send to this DM channel's recipient. */
  accepts(channel: APIDMChannel): boolean {
    return !(channel.recipients ?? []).some((recipient) => this.#closed.has(recipient.id));
  }

  /** `user`'s DM with another person; the bot is no recipient, so it sees only the id and type. */
  privateChannelOf(user: APIUser): APIDMChannel {
    return remembered(this.#privateByUser, user.id, () => dmChannel([]));
  }
}

function remembered(channels: Map<string, APIDMChannel>, userId: string, create: () => APIDMChannel): APIDMChannel {
  const channel = channels.get(userId) ?? create();
  channels.set(userId, channel);
  return channel;
}

function dmChannel(recipients: APIUser[]): APIDMChannel {
  return { id: nextSnowflake(), type: ChannelType.DM, name: null, recipients, last_message_id: null };
}
