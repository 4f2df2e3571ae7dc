import { DiscordErrorCode, unknownResource } from './errors.ts';
import { requireJoinedGuild } from './rest-access.ts';
import { ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { Router } from './router.ts';

/** Read-only guild data: the guild, its roles, channels and members, for every guild the bot is in. */
export function registerGuildRoutes(router: Router, context: RestContext): void {
  const guildOf = (param: (name: 'guildId') => string) => requireJoinedGuild(context, param('guildId'));

  router
    .on('GET', '/guilds/:guildId', ({ param, query }) => {
      const guild = guildOf(param);
      const counts =
        query.get('with_counts') === 'true'
          ? { approximate_member_count: guild.members.length, approximate_presence_count: 0 }
          : {};
      return ok({ ...guild.toApiGuild(), ...counts });
    })
    .on('GET', '/guilds/:guildId/roles', ({ param }) => ok(guildOf(param).roles))
    .on('GET', '/guilds/:guildId/channels', ({ param }) => ok(guildOf(param).channels))
    .on('GET', '/guilds/:guildId/members', ({ param, query }) => {
      const limit = Number(query.get('limit') ?? 1);
      const after = BigInt(query.get('after') ?? 0);
      return ok(guildOf(param).members.filter((member) => BigInt(member.user.id) > after).slice(0, limit));
    })
    .on('GET', '/guilds/:guildId/members/:userId', ({ param }) => {
      const member = guildOf(param).findMember(param('userId'));
      if (!member) throw unknownResource(DiscordErrorCode.UnknownMember, 'Member');
      return ok(member);
    });
}
