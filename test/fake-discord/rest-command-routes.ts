import { DiscordErrorCode, unknownResource } from './errors.ts';
import { ok } from './rest-context.ts';
import type { RestContext } from './rest-context.ts';
import type { RouteRequest, Router } from './router.ts';

/** Application command registration, globally and per guild (bulk overwrite and listing). */
export function registerCommandRoutes(router: Router, { identity, guilds, commands }: RestContext): void {
  const requireApplication = ({ param }: RouteRequest<'applicationId'>): void => {
    if (param('applicationId') !== identity.applicationId) {
      throw unknownResource(DiscordErrorCode.UnknownApplication, 'Application');
    }
  };
  const requireGuildScope = (request: RouteRequest<'applicationId' | 'guildId'>): string => {
    requireApplication(request);
    // The applications.commands scope alone lets an app register commands, so the bot need not be a member.
    const guild = guilds.find(request.param('guildId'));
    if (!guild) throw unknownResource(DiscordErrorCode.UnknownGuild, 'Guild');
    return guild.id;
  };

  router
    .on('GET', '/applications/:applicationId/commands', (request) => {
      requireApplication(request);
      return ok(commands.list());
    })
    .on('PUT', '/applications/:applicationId/commands', (request) => {
      requireApplication(request);
      return ok(commands.overwrite(undefined, request.body));
    })
    .on('GET', '/applications/:applicationId/guilds/:guildId/commands', (request) =>
      ok(commands.list(requireGuildScope(request))),
    )
    .on('PUT', '/applications/:applicationId/guilds/:guildId/commands', (request) =>
      ok(commands.overwrite(requireGuildScope(request), request.body)),
    );
}
