import { z } from 'zod';
import { DiscordErrorCode, parseBody, unknownResource } from './errors.ts';
import { ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { Router } from './router.ts';

const openDirectMessageSchema = z.object({ recipient_id: z.string() });

/** Gateway discovery and the bot's own account: what discord.js asks for around login. */
export function registerAccountRoutes(router: Router, context: RestContext): void {
  const { identity, application, users, directMessages } = context;

  const findUser = (userId: string) => (userId === identity.user.id ? identity.user : users.find(userId));

  router
    .on('GET', '/gateway', () => ok({ url: context.gatewayUrl }))
    .on('GET', '/gateway/bot', () =>
      ok({
        url: context.gatewayUrl,
        shards: context.sharding.shards,
        // discord.js refuses to connect without remaining sessions and caches this for reset_after ms.
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: context.sharding.maxConcurrency },
      }),
    )
    .on('GET', '/users/@me', () => ok(identity.user))
    .on('GET', '/applications/@me', () => ok(application))
    .on('POST', '/users/@me/channels', ({ body }) => {
      const recipient = findUser(parseBody(openDirectMessageSchema, body).recipient_id);
      if (!recipient) throw unknownResource(DiscordErrorCode.UnknownUser, 'User');
      return ok(directMessages.open(recipient));
    })
    .on('GET', '/users/:userId', ({ param }) => {
      const user = findUser(param('userId'));
      if (!user) throw unknownResource(DiscordErrorCode.UnknownUser, 'User');
      return ok(user);
    });
}
