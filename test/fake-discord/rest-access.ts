import type { APIDMChannel, APIThreadChannel } from 'discord.js';
import { DiscordApiError, DiscordErrorCode, unknownResource } from './errors.ts';
import type { FakeGuild } from './guild.ts';
import type { RestContext } from './rest-context.ts';
import type { GuildTextChannel } from './payloads.ts';

const missingAccess = (): DiscordApiError => new DiscordApiError(403, DiscordErrorCode.MissingAccess, 'Missing Access');

/** A guild the bot may read: unknown ids are 404, guilds it is not a member of are 403, as on Discord. */
export function requireJoinedGuild({ guilds }: RestContext, guildId: string): FakeGuild {
  const guild = guilds.find(guildId);
  if (!guild) throw unknownResource(DiscordErrorCode.UnknownGuild, 'Guild');
  if (!guild.botIsMember) throw missingAccess();
  return guild;
}

/** A channel the bot may use: a text channel of a guild it is in, a thread in one, or a DM channel it opened. */
export function requireAccessibleChannel(
  { guilds, directMessages, threads }: RestContext,
  channelId: string,
): GuildTextChannel | APIThreadChannel | APIDMChannel {
  const inGuild = guilds.findChannel(channelId);
  if (inGuild && !inGuild.guild.botIsMember) throw missingAccess();
  const channel = inGuild?.channel ?? threads.find(channelId) ?? directMessages.find(channelId);
  if (!channel) throw unknownResource(DiscordErrorCode.UnknownChannel, 'Channel');
  return channel;
}
