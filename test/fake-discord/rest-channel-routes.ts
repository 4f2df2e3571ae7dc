import { ChannelType, MessageType, PermissionFlagsBits } from 'discord.js';
import type { APIMessage } from 'discord.js';
import { z } from 'zod';
import { DiscordApiError, DiscordErrorCode, parseBody, unknownResource } from './errors.ts';
import { messageBodySchema } from './message-body.ts';
import { requireAccessibleChannel } from './rest-access.ts';
import { noContent, ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { Router } from './router.ts';

const MAX_MESSAGES_PER_PAGE = 100;

const startThreadSchema = z.object({
  name: z.string().min(1).max(100),
  auto_archive_duration: z.union([z.literal(60), z.literal(1440), z.literal(4320), z.literal(10080)]).optional(),
  rate_limit_per_user: z.number().int().min(0).max(21_600).nullish(),
});

const missingPermissions = (): DiscordApiError => new DiscordApiError(403, DiscordErrorCode.MissingPermissions, 'Missing Permissions');

/** Channels and the bot's own messages in them (`channel.send`, `message.edit`, ...). */
export function registerChannelRoutes(router: Router, context: RestContext): void {
  const { messages, identity, guilds, threads, directMessages } = context;
  const requireChannel = (channelId: string) => requireAccessibleChannel(context, channelId);

  /** Whether the bot holds a permission in the guild a channel (or thread) belongs to. */
  const botMay = (guildId: string | undefined, permission: bigint): boolean => {
    const guild = guildId === undefined ? undefined : guilds.find(guildId);
    return guild !== undefined && (guild.permissionsOf(identity.user.id) & permission) === permission;
  };

  /** Discord's refusals of a send: threads need their own permission, and a member may not take DMs. */
  const requireMaySend = (channelId: string): void => {
    const channel = requireChannel(channelId);
    if (channel.type === ChannelType.PublicThread && !botMay(channel.guild_id, PermissionFlagsBits.SendMessagesInThreads)) throw missingPermissions();
    if (channel.type === ChannelType.DM && !directMessages.accepts(channel)) {
      throw new DiscordApiError(403, DiscordErrorCode.CannotSendMessagesToThisUser, 'Cannot send messages to this user');
    }
  };

  const requireMessageIn = (channelId: string, messageId: string): APIMessage => {
    requireChannel(channelId);
    const message = messages.require(messageId);
    if (message.channel_id !== channelId) throw unknownResource(DiscordErrorCode.UnknownMessage, 'Message');
    return message;
  };

  router
    .on('GET', '/channels/:channelId', ({ param }) => ok(requireChannel(param('channelId'))))
    .on('POST', '/channels/:channelId/typing', ({ param }) => {
      requireChannel(param('channelId'));
      return noContent();
    })
    .on('GET', '/channels/:channelId/messages', ({ param, query }) => {
      const channel = requireChannel(param('channelId'));
      const limit = Math.min(Number(query.get('limit') ?? 50), MAX_MESSAGES_PER_PAGE);
      const before = query.get('before');
      const after = query.get('after');
      const candidates = messages
        .inChannel(channel.id)
        .filter(({ id }) => (!before || BigInt(id) < BigInt(before)) && (!after || BigInt(id) > BigInt(after)));
      // Discord pages from the anchor outwards but always lists newest first.
      const page = after ? candidates.slice(0, limit) : candidates.slice(-limit);
      return ok(page.reverse());
    })
    .on('POST', '/channels/:channelId/messages', ({ param, body, files }) => {
      requireMaySend(param('channelId'));
      const channel = requireChannel(param('channelId'));
      const origin = { author: identity.user, type: MessageType.Default };
      return ok(messages.create(channel.id, origin, parseBody(messageBodySchema, body), files));
    })
    .on('POST', '/channels/:channelId/messages/:messageId/threads', ({ param, body }) => {
      const message = requireMessageIn(param('channelId'), param('messageId'));
      const parent = guilds.findChannel(message.channel_id);
      // Threads start from messages in guild text channels only.
      if (!parent) throw unknownResource(DiscordErrorCode.UnknownChannel, 'Channel');
      if (!botMay(parent.guild.id, PermissionFlagsBits.CreatePublicThreads)) throw missingPermissions();
      if (threads.startedFrom(message.id)) {
        throw new DiscordApiError(400, DiscordErrorCode.ThreadAlreadyCreated, 'A thread has already been created for this message');
      }
      const { name } = parseBody(startThreadSchema, body);
      const thread = threads.start(parent.channel, message.id, name, identity.user.id);
      messages.markThreadStarted(message.id, thread);
      return { status: 201, json: thread };
    })
    .on('GET', '/channels/:channelId/messages/:messageId', ({ param }) =>
      ok(requireMessageIn(param('channelId'), param('messageId'))),
    )
    .on('PATCH', '/channels/:channelId/messages/:messageId', ({ param, body, files }) => {
      const message = requireMessageIn(param('channelId'), param('messageId'));
      return ok(messages.edit(message.id, parseBody(messageBodySchema, body), files));
    })
    .on('DELETE', '/channels/:channelId/messages/:messageId', ({ param }) => {
      messages.delete(requireMessageIn(param('channelId'), param('messageId')).id);
      return noContent();
    });
}
