import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { COMMANDS, commandDefinitions, findCommand } from '../commands/index.ts';
import type { CommandModule } from '../commands/command.ts';
import { ConfigError } from '../config.ts';

/**
 * Crux's slash commands under the names a host registers them by: `prefix + name`, so a host that has its own
 * `/market` installs Crux's as `/crux-market`. Only the names change; Crux's handlers keep their own.
 */
export interface CommandNames {
  /** The definitions to register with Discord, under their prefixed names. */
  definitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[];
  /** The Crux command a registered name invokes; undefined for every name that is not Crux's (the host's own). */
  command(registeredName: string): CommandModule | undefined;
}

// Discord's rule for chat-input command names, as far as a prefix can take part in it: lowercase, at most 32 long.
const PREFIX_SHAPE = /^[-_a-z0-9]*$/;
const NAME_LIMIT = 32;

export function commandNames(prefix = ''): CommandNames {
  if (!PREFIX_SHAPE.test(prefix)) {
    throw new ConfigError(`commandPrefix: "${prefix}" may hold only lowercase letters, digits, - and _ (Discord's rule for command names)`);
  }
  const longest = Math.max(...COMMANDS.map((command) => command.data.name.length));
  if (prefix.length + longest > NAME_LIMIT) {
    throw new ConfigError(`commandPrefix: "${prefix}" is too long; Discord allows command names of ${NAME_LIMIT} characters at most`);
  }
  return {
    definitions: () => commandDefinitions().map((definition) => ({ ...definition, name: `${prefix}${definition.name}` })),
    command: (registeredName) => (registeredName.startsWith(prefix) ? findCommand(registeredName.slice(prefix.length)) : undefined),
  };
}
