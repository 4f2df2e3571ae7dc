import {
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  PermissionFlagsBits,
} from 'discord.js';
import type { APIGuild, APIRole, APIUser, GatewayGuildCreateDispatchData } from 'discord.js';
import { buildMember, buildRole, buildTextChannel } from './payloads.ts';
import type { GuildMemberWithUser, GuildTextChannel } from './payloads.ts';
import { nextSnowflake } from './snowflake.ts';
import type { UserDirectory } from './users.ts';

export interface RoleSpec {
  name: string;
  permissions: bigint;
}

export interface MemberSpec {
  username: string;
  /** Role names from `GuildSpec.roles`. */
  roles?: string[];
}

export interface GuildSpec {
  name?: string;
  textChannels?: string[];
  /** Roles besides @everyone and the bot's managed role. */
  roles?: RoleSpec[];
  /** Human members; the bot's own member is always added. */
  members?: MemberSpec[];
  /** Which member owns the guild (owners implicitly hold every permission). */
  ownerUsername?: string;
  /**
   * False for a guild that installed the app without its bot (only the applications.commands scope): the gateway
   * never announces it, so discord.js has no cache of it, and its REST routes answer 403 Missing Access; its
   * interactions still carry the member and their permissions, as Discord sends them.
   */
  botIsMember?: boolean;
  /** What the bot's managed role grants; default what its invite link asks for (threads included). */
  botPermissions?: bigint;
}

export const MARKET_MOD_ROLE = 'Market Mod';

const DEFAULT_SPEC: Required<Omit<GuildSpec, 'botPermissions'>> = {
  name: 'Crux Test Guild',
  textChannels: ['general', 'markets', 'market-log'],
  roles: [{ name: MARKET_MOD_ROLE, permissions: PermissionFlagsBits.ManageGuild }],
  members: [
    { username: 'owner' },
    { username: 'moderator', roles: [MARKET_MOD_ROLE] },
    { username: 'alice' },
    { username: 'bob' },
  ],
  ownerUsername: 'owner',
  botIsMember: true,
};

// What a freshly created guild grants @everyone.
const EVERYONE_PERMISSIONS =
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.UseApplicationCommands;

// What the bot's invite link asks for.
const BOT_ROLE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.UseApplicationCommands;

const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, flag) => all | flag, 0n);

/** One guild with its channels, roles and members, exposed in the shapes Discord sends. */
export class FakeGuild {
  readonly name: string;
  /** Owners implicitly hold every permission. */
  readonly owner: GuildMemberWithUser;
  readonly roles: readonly APIRole[];
  readonly channels: readonly GuildTextChannel[];
  readonly members: readonly GuildMemberWithUser[];
  readonly botIsMember: boolean;
  readonly #joinedAt = new Date().toISOString();

  constructor(
    readonly id: string,
    spec: GuildSpec,
    botUser: APIUser,
    users: UserDirectory,
  ) {
    const { name, textChannels, roles, members, ownerUsername, botIsMember } = { ...DEFAULT_SPEC, ...spec };
    const botPermissions = spec.botPermissions ?? BOT_ROLE_PERMISSIONS;
    this.name = name;
    this.botIsMember = botIsMember;
    // Joining a guild gives the bot its managed role, the one the invite link's permissions go to.
    const botRole = buildRole({
      id: nextSnowflake(),
      name: botUser.username,
      permissions: botPermissions,
      position: roles.length + 1,
      managed: true,
      tags: { bot_id: botUser.id },
    });
    this.roles = [
      buildRole({ id: this.id, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0 }),
      ...roles.map((role, index) => buildRole({ id: nextSnowflake(), ...role, position: index + 1 })),
      ...(botIsMember ? [botRole] : []),
    ];
    this.channels = textChannels.map((channelName, index) =>
      buildTextChannel(nextSnowflake(), this.id, channelName, index),
    );
    const humans = members.map(({ username, roles: roleNames = [] }) =>
      buildMember(
        users.named(username),
        roleNames.map((roleName) => this.role(roleName).id),
        this.#joinedAt,
      ),
    );
    this.members = botIsMember ? [...humans, buildMember(botUser, [botRole.id], this.#joinedAt)] : humans;
    this.owner = this.member(ownerUsername);
  }

  /** Whether a test's reference (the guild's name or id) means this guild. */
  isNamed(nameOrId: string): boolean {
    return this.name === nameOrId || this.id === nameOrId;
  }

  /** A text channel by name or id (the first one when omitted); throws so a typo in a test fails loudly. */
  channel(nameOrId?: string): GuildTextChannel {
    return this.#find(
      this.channels,
      (channel) => nameOrId === undefined || channel.name === nameOrId || channel.id === nameOrId,
      `channel ${nameOrId ?? '(any)'}`,
    );
  }

  role(name: string): APIRole {
    return this.#find(this.roles, (role) => role.name === name, `role ${name}`);
  }

  member(username: string): GuildMemberWithUser {
    return this.#find(this.members, (member) => member.user.username === username, `member ${username}`);
  }

  findChannel(id: string): GuildTextChannel | undefined {
    return this.channels.find((channel) => channel.id === id);
  }

  findMember(userId: string): GuildMemberWithUser | undefined {
    return this.members.find((member) => member.user.id === userId);
  }

  /** Guild-level permissions, computed the way Discord does (no channel overwrites exist here). */
  permissionsOf(userId: string): bigint {
    const member = this.findMember(userId);
    if (!member) return 0n;
    if (userId === this.owner.user.id) return ALL_PERMISSIONS;
    const granted = this.roles
      .filter((role) => role.id === this.id || member.roles.includes(role.id))
      .reduce((all, role) => all | BigInt(role.permissions), 0n);
    return granted & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : granted;
  }

  /** The guild object returned by `GET /guilds/:id`. */
  toApiGuild(): APIGuild {
    return {
      id: this.id,
      name: this.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.owner.user.id,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.Low,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.AllMembers,
      roles: [...this.roles],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: this.channels[0]?.id ?? null,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotificationReplies,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: Locale.EnglishUS,
      nsfw_level: GuildNSFWLevel.Default,
      hub_type: null,
      incidents_data: null,
      max_members: 500_000,
      max_video_channel_users: 25,
    };
  }

  /** The GUILD_CREATE dispatch data sent after READY. */
  toGuildCreate(): GatewayGuildCreateDispatchData {
    return {
      ...this.toApiGuild(),
      joined_at: this.#joinedAt,
      large: false,
      unavailable: false,
      member_count: this.members.length,
      voice_states: [],
      members: [...this.members],
      channels: [...this.channels],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  #find<T>(items: readonly T[], matches: (item: T) => boolean, description: string): T {
    const found = items.find(matches);
    if (!found) throw new Error(`Fake Discord guild has no ${description}`);
    return found;
  }
}
