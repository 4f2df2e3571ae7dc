import { ChannelType } from 'discord.js';
import type { APIDMChannel, APIUser } from 'discord.js';
import { nextSnowflake } from './snowflake.ts';

/** DM channels the bot opened with `POST /users/@me/channels`; one per recipient, as on Discord. */
export class DirectMessageChannels {
  readonly #byRecipient = new Map<string, APIDMChannel>();

  open(recipient: APIUser): APIDMChannel {
    const existing = this.#byRecipient.get(recipient.id);
    if (existing) return existing;
    const channel: APIDMChannel = {
      id: nextSnowflake(),
      type: ChannelType.DM,
      name: null,
      recipients: [recipient],
      last_message_id: null,
    };
    this.#byRecipient.set(recipient.id, channel);
    return channel;
  }

  find(channelId: string): APIDMChannel | undefined {
    return [...this.#byRecipient.values()].find((channel) => channel.id === channelId);
  }
}
