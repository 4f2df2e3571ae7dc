import { type CommandInteractionOption, type Interaction } from 'discord.js';
import type { Invocation, OptionValue } from '../reply.ts';
import { isModerator } from './moderator.ts';
import { realmOfGuild } from '../../markets/realms/realm.ts';

/**
 * Flattens an interaction's options (and its subcommand's) into name → value; a user option gives the id, and the
 * name the member goes by there, as Discord sent it, goes into `userNames`.
 */
export function flattenOptions(options: readonly CommandInteractionOption[]): {
  subcommand: string | null;
  values: Record<string, OptionValue>;
  userNames: Record<string, string>;
} {
  const values: Record<string, OptionValue> = {};
  const userNames: Record<string, string> = {};
  let subcommand: string | null = null;
  for (const option of options) {
    if (option.options !== undefined && option.value === undefined) {
      subcommand = option.name;
      const inner = flattenOptions(option.options);
      Object.assign(values, inner.values);
      Object.assign(userNames, inner.userNames);
    } else if (option.value !== undefined) {
      values[option.name] = option.value;
      if (option.user) userNames[option.user.id] = memberName(option) ?? option.user.globalName ?? option.user.username;
    }
  }
  return { subcommand, values, userNames };
}

/** A user option's server nickname, where Discord sent the member with it. */
function memberName(option: CommandInteractionOption): string | undefined {
  const { member } = option;
  if (member === undefined || member === null) return undefined;
  return 'displayName' in member ? member.displayName : (member.nick ?? undefined);
}

/**
 * The transport-neutral invocation of an interaction made in a server. The server is the realm; the moderator check
 * reads that server's own moderator role and the permissions Discord sent with the interaction.
 */
export function invocationOf(
  interaction: Interaction & { guildId: string },
  command: string,
  options: readonly CommandInteractionOption[],
  moderatorRole: string | null,
  now: number,
): Invocation {
  const { subcommand, values, userNames } = flattenOptions(options);
  const displayName =
    interaction.inCachedGuild() ? interaction.member.displayName : (interaction.user.globalName ?? interaction.user.username);
  return {
    command,
    subcommand,
    options: values,
    userNames,
    actor: { userId: interaction.user.id, displayName, isModerator: isModerator(interaction, moderatorRole) },
    realm: realmOfGuild(interaction.guildId),
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    requestId: interaction.id,
    now,
    ...(interaction.inCachedGuild() ? { channelInServer: (channelId: string) => interaction.guild.channels.cache.has(channelId) } : {}),
  };
}
