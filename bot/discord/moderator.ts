import { type Interaction, PermissionFlagsBits } from 'discord.js';

/**
 * A moderator has Manage Server, or a role whose name or id is the configured one. Both come from the
 * member data Discord attaches to the interaction, never from anything the user typed.
 */
export function isModerator(interaction: Interaction, moderatorRole: string | null): boolean {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  if (moderatorRole === null || !interaction.inGuild()) return false;
  const member = interaction.member;
  const roleIds: string[] = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return roleIds.some((id) => id === moderatorRole || interaction.guild?.roles.cache.get(id)?.name === moderatorRole);
}
