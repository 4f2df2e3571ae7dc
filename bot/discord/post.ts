import { type APIMessage, type Client, MessageFlags, Routes } from 'discord.js';
import type { PostedMessage } from '../jobs.ts';
import type { Reply } from '../reply.ts';
import { NO_MENTIONS, toMessage } from './payload.ts';

/** Posts a reply as a new channel message, outside any interaction (jobs). Attachments are not sent this way. */
export async function postReply(client: Client, channelId: string, reply: Reply): Promise<PostedMessage> {
  const message = toMessage(reply);
  const posted = (await client.rest.post(Routes.channelMessages(channelId), {
    body: {
      ...(message.content === undefined ? {} : { content: message.content }),
      embeds: message.embeds.map((embed) => embed.toJSON()),
      components: message.components.map((row) => row.toJSON()),
      allowed_mentions: NO_MENTIONS,
      ...(reply.suppressEmbeds ? { flags: MessageFlags.SuppressEmbeds } : {}),
    },
  })) as APIMessage;
  return { channelId, messageId: posted.id };
}
