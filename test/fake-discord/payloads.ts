import { ChannelType } from 'discord.js';
import type { APIGuildMember, APIGuildTextChannel, APIRole, APIRoleTags, APIUser } from 'discord.js';

/** A guild member as Discord sends it inside guilds and interactions: the user is always present. */
export type GuildMemberWithUser = APIGuildMember & { user: APIUser };

export type GuildTextChannel = APIGuildTextChannel<ChannelType.GuildText>;

/** Discord sends 0 for "no flags", a value discord-api-types' flag enums have no member for. */
export function noFlags<Flags extends number>(): Flags {
  return 0 as Flags;
}

export function buildUser(id: string, username: string, { bot = false } = {}): APIUser {
  return {
    id,
    username,
    // Bots still carry a four-digit discriminator; migrated users have "0".
    discriminator: bot ? '0001' : '0',
    global_name: bot ? null : username,
    avatar: null,
    ...(bot ? { bot: true } : {}),
  };
}

export interface RoleFields {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed?: boolean;
  tags?: APIRoleTags;
}

export function buildRole({ id, name, permissions, position, managed = false, tags }: RoleFields): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed,
    mentionable: false,
    flags: noFlags(),
    ...(tags ? { tags } : {}),
  };
}

export function buildMember(user: APIUser, roleIds: string[], joinedAt: string): GuildMemberWithUser {
  return {
    user,
    nick: null,
    avatar: null,
    banner: null,
    roles: roleIds,
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: noFlags(),
    pending: false,
    communication_disabled_until: null,
  };
}

export function buildTextChannel(id: string, guildId: string, name: string, position: number): GuildTextChannel {
  return {
    id,
    type: ChannelType.GuildText,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    rate_limit_per_user: 0,
    last_message_id: null,
  };
}
