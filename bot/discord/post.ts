import { isDeepStrictEqual } from 'node:util';
import { type APIMessage, type Client, MessageFlags, Routes } from 'discord.js';
import { guildOfRealm, type RealmId } from '../../markets/realms/realm.ts';
import type { PostedMessage } from '../jobs.ts';
import type { Reply } from '../reply.ts';
import { NO_MENTIONS, toMessage } from './payload.ts';

/**
 * Whether `channelId` is a channel of `realm`'s server. A setting or a stored market can name any channel id, and the
 * bot can post in every server it is in, so each post checks that it goes to the server it speaks for. Asked through
 * discord.js's channel manager, which asks Discord only for a channel it has not cached: the process that runs the
 * jobs posts for other shards' servers too. Their guilds are not in this client's cache, and without
 * `allowUnknownGuild` discord.js answers null for a channel of such a guild, which refused every such post.
 */
async function isChannelOf(client: Client, channelId: string, realm: RealmId): Promise<boolean> {
  const guildId = guildOfRealm(realm);
  if (guildId === null) return false;
  const channel = await client.channels.fetch(channelId, { allowUnknownGuild: true });
  return channel !== null && 'guildId' in channel && channel.guildId === guildId;
}

/**
 * Posts a reply as a new channel message of `realm`'s server, outside any interaction (jobs, a card sent to the market
 * channel); refused for a channel of any other server. Attachments are not sent this way.
 */
export async function postReply(client: Client, realm: RealmId, channelId: string, reply: Reply): Promise<PostedMessage> {
  if (!(await isChannelOf(client, channelId, realm))) {
    throw new Error(`channel ${channelId} is not in server ${realm}, so nothing was posted there`);
  }
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

/**
 * Posts a reply's `alsoPost` cards (about markets of `realm`), each in its channel; one that cannot be posted is logged
 * and the rest still go. `postedIn`: where the reply itself went, if it did; the reply's own cards are not posted
 * there a second time (a market's record meant for its channel as well as the moderators', on a server without a
 * moderator channel).
 */
export async function postAlso(
  client: Client,
  realm: RealmId,
  reply: Reply,
  log: (message: string, context?: Record<string, unknown>) => void,
  postedIn: string | null = null,
): Promise<void> {
  for (const { channelId, cards } of reply.alsoPost ?? []) {
    if (channelId === postedIn && isDeepStrictEqual(cards, reply.cards)) continue;
    await postReply(client, realm, channelId, { ephemeral: false, cards, actions: [], files: [] }).catch((error: unknown) =>
      log('could not post to a market channel', { channelId, error: String(error) }),
    );
  }
}
