import { MessageType } from 'discord.js';
import type { APIMessage } from 'discord.js';
import { DiscordErrorCode, parseBody, unknownResource } from './errors.ts';
import { messageBodySchema } from './message-body.ts';
import { requireAccessibleChannel } from './rest-access.ts';
import { noContent, ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { Router } from './router.ts';

const MAX_MESSAGES_PER_PAGE = 100;

/** Channels and the bot's own messages in them (`channel.send`, `message.edit`, ...). */
export function registerChannelRoutes(router: Router, context: RestContext): void {
  const { messages, identity } = context;
  const requireChannel = (channelId: string) => requireAccessibleChannel(context, channelId);

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
      const channel = requireChannel(param('channelId'));
      const origin = { author: identity.user, type: MessageType.Default };
      return ok(messages.create(channel.id, origin, parseBody(messageBodySchema, body), files));
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
