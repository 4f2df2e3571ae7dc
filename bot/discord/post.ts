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
      embeds: message.embeds,
      components: message.components.map((row) => row.toJSON()),
      allowed_mentions: NO_MENTIONS,
      ...(reply.suppressEmbeds ? { flags: MessageFlags.SuppressEmbeds } : {}),
    },
  })) as APIMessage;
  return { channelId, messageId: posted.id };
}

/** Posts a reply's `alsoPost` cards, each in its channel; one that cannot be posted is logged and the rest still go. */
export async function postAlso(client: Client, reply: Reply, log: (message: string, context?: Record<string, unknown>) => void): Promise<void> {
  for (const { channelId, cards } of reply.alsoPost ?? []) {
    await postReply(client, channelId, { ephemeral: false, cards, actions: [], files: [] }).catch((error: unknown) =>
      log('could not post to a market channel', { channelId, error: String(error) }),
    );
  }
}
