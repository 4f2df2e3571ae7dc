import { DiscordErrorCode, unknownResource } from './errors.ts';
import { ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { RouteRequest, Router } from './router.ts';

/** Read-only guild data: the guild, its roles, channels and members. */
export function registerGuildRoutes(router: Router, { guild }: RestContext): void {
  const requireGuild = ({ param }: RouteRequest<'guildId'>): void => {
    if (param('guildId') !== guild.id) throw unknownResource(DiscordErrorCode.UnknownGuild, 'Guild');
  };

  router
    .on('GET', '/guilds/:guildId', (request) => {
      requireGuild(request);
      const counts =
        request.query.get('with_counts') === 'true'
          ? { approximate_member_count: guild.members.length, approximate_presence_count: 0 }
          : {};
      return ok({ ...guild.toApiGuild(), ...counts });
    })
    .on('GET', '/guilds/:guildId/roles', (request) => {
      requireGuild(request);
      return ok(guild.roles);
    })
    .on('GET', '/guilds/:guildId/channels', (request) => {
      requireGuild(request);
      return ok(guild.channels);
    })
    .on('GET', '/guilds/:guildId/members', (request) => {
      requireGuild(request);
      const limit = Number(request.query.get('limit') ?? 1);
      const after = BigInt(request.query.get('after') ?? 0);
      return ok(guild.members.filter((member) => BigInt(member.user.id) > after).slice(0, limit));
    })
    .on('GET', '/guilds/:guildId/members/:userId', (request) => {
      requireGuild(request);
      const member = guild.findMember(request.param('userId'));
      if (!member) throw unknownResource(DiscordErrorCode.UnknownMember, 'Member');
      return ok(member);
    });
}
