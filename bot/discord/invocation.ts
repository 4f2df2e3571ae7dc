import { type CommandInteractionOption, type Interaction } from 'discord.js';
import type { Invocation, OptionValue } from '../reply.ts';
import { isModerator } from './moderator.ts';
import { realmOfGuild } from '../../markets/realms/realm.ts';

/** Flattens an interaction's options (and its subcommand's) into name → value; a user option gives the id. */
export function flattenOptions(options: readonly CommandInteractionOption[]): {
  subcommand: string | null;
  values: Record<string, OptionValue>;
} {
  const values: Record<string, OptionValue> = {};
  let subcommand: string | null = null;
  for (const option of options) {
    if (option.options !== undefined && option.value === undefined) {
      subcommand = option.name;
      Object.assign(values, flattenOptions(option.options).values);
    } else if (option.value !== undefined) {
      values[option.name] = option.value;
    }
  }
  return { subcommand, values };
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
  const { subcommand, values } = flattenOptions(options);
  const displayName =
    interaction.inCachedGuild() ? interaction.member.displayName : (interaction.user.globalName ?? interaction.user.username);
  return {
    command,
    subcommand,
    options: values,
    actor: { userId: interaction.user.id, displayName, isModerator: isModerator(interaction, moderatorRole) },
    realm: realmOfGuild(interaction.guildId),
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    requestId: interaction.id,
    now,
    ...(interaction.inCachedGuild() ? { channelInServer: (channelId: string) => interaction.guild.channels.cache.has(channelId) } : {}),
  };
}
