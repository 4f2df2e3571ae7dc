import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType as OptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
} from 'discord.js';
import type {
  APIApplicationCommandAutocompleteGuildInteraction,
  APIApplicationCommandInteractionDataBasicOption,
  APIApplicationCommandInteractionDataOption,
  APIAttachment,
  APIChatInputApplicationCommandGuildInteraction,
  APIInteractionDataResolved,
  APIMessage,
  APIMessageComponentGuildInteraction,
  APIModalSubmitGuildInteraction,
  APIUser,
} from 'discord.js';
import type { CommandRegistry } from './commands.ts';
import type { FakeGuild } from './guild.ts';
import { nextSnowflake } from './snowflake.ts';

/** A slash-command option as a test describes it; user and attachment options also fill `resolved`. */
export type CommandOption =
  | { type: OptionType.String; name: string; value: string }
  | { type: OptionType.Integer; name: string; value: number }
  | { type: OptionType.Number; name: string; value: number }
  | { type: OptionType.Boolean; name: string; value: boolean }
  | { type: OptionType.User; name: string; username: string }
  | { type: OptionType.Attachment; name: string; attachment: APIAttachment };

/** Builders for `CommandOption`s, e.g. `option.integer('stake', 50)`. */
export const option = {
  string: (name: string, value: string): CommandOption => ({ type: OptionType.String, name, value }),
  integer: (name: string, value: number): CommandOption => ({ type: OptionType.Integer, name, value }),
  number: (name: string, value: number): CommandOption => ({ type: OptionType.Number, name, value }),
  boolean: (name: string, value: boolean): CommandOption => ({ type: OptionType.Boolean, name, value }),
  /** `username` names a guild member; the option carries their id and `resolved` their user and member. */
  user: (name: string, username: string): CommandOption => ({ type: OptionType.User, name, username }),
  attachment: (name: string, attachment: APIAttachment): CommandOption => ({
    type: OptionType.Attachment,
    name,
    attachment,
  }),
};

/** Who acts, and where; the channel defaults to the guild's first text channel. */
export interface Actor {
  /** Username of a guild member, e.g. `'alice'`. */
  user: string;
  /** Channel name or id. */
  channel?: string;
}

export interface CommandPath {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
}

export interface SlashCommandInput extends Actor, CommandPath {
  options?: CommandOption[];
}

export interface AutocompleteInput extends Actor, CommandPath {
  /** The option being typed into; Discord sends what the user typed so far as a string. */
  focused: { name: string; value: string };
  /** Options already filled in. */
  options?: CommandOption[];
}

export interface ComponentInput extends Actor {
  customId: string;
  /** The message carrying the component; `FakeDiscord` provides one when the test does not. */
  message: APIMessage;
}

export interface SelectMenuInput extends ComponentInput {
  values: string[];
}

export interface ModalSubmitInput extends Actor {
  customId: string;
  /** Text input custom id → submitted value. */
  fields: Record<string, string>;
}

export type FakeInteraction =
  | APIChatInputApplicationCommandGuildInteraction
  | APIApplicationCommandAutocompleteGuildInteraction
  | APIMessageComponentGuildInteraction
  | APIModalSubmitGuildInteraction;

const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** Builds INTERACTION_CREATE payloads shaped like the ones Discord sends for guild interactions. */
export class InteractionFactory {
  readonly #applicationId: string;
  readonly #botUser: APIUser;
  readonly #guild: FakeGuild;
  readonly #commands: CommandRegistry;

  constructor(applicationId: string, botUser: APIUser, guild: FakeGuild, commands: CommandRegistry) {
    this.#applicationId = applicationId;
    this.#botUser = botUser;
    this.#guild = guild;
    this.#commands = commands;
  }

  slashCommand(input: SlashCommandInput): APIChatInputApplicationCommandGuildInteraction {
    const resolved: APIInteractionDataResolved = {};
    const options = (input.options ?? []).map((commandOption) => this.#toDataOption(commandOption, resolved));
    return {
      ...this.#base(InteractionType.ApplicationCommand, input),
      data: {
        ...this.#commandData(input),
        ...optionsField(nestUnderSubcommand(input, options)),
        ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      },
    };
  }

  autocomplete(input: AutocompleteInput): APIApplicationCommandAutocompleteGuildInteraction {
    const resolved: APIInteractionDataResolved = {};
    const filled = (input.options ?? []).map((commandOption) => this.#toDataOption(commandOption, resolved));
    const focused = { type: OptionType.String, ...input.focused, focused: true } as const;
    return {
      ...this.#base(InteractionType.ApplicationCommandAutocomplete, input),
      data: { ...this.#commandData(input), options: nestUnderSubcommand(input, [...filled, focused]) },
    };
  }

  buttonPress(input: ComponentInput): APIMessageComponentGuildInteraction {
    return {
      ...this.#base(InteractionType.MessageComponent, input),
      message: input.message,
      data: { custom_id: input.customId, component_type: ComponentType.Button },
    };
  }

  selectMenu(input: SelectMenuInput): APIMessageComponentGuildInteraction {
    return {
      ...this.#base(InteractionType.MessageComponent, input),
      message: input.message,
      data: { custom_id: input.customId, component_type: ComponentType.StringSelect, values: input.values },
    };
  }

  modalSubmit(input: ModalSubmitInput): APIModalSubmitGuildInteraction {
    return {
      ...this.#base(InteractionType.ModalSubmit, input),
      data: {
        custom_id: input.customId,
        components: Object.entries(input.fields).map(([customId, value]) => ({
          type: ComponentType.ActionRow,
          components: [{ type: ComponentType.TextInput, custom_id: customId, value }],
        })),
      },
    };
  }

  #base<Type extends InteractionType>(type: Type, actor: Actor) {
    const guild = this.#guild;
    const member = guild.member(actor.user);
    const channel = guild.channel(actor.channel);
    return {
      id: nextSnowflake(),
      application_id: this.#applicationId,
      type,
      token: randomBytes(96).toString('base64url'),
      version: 1 as const,
      guild_id: guild.id,
      guild: { id: guild.id, features: [], locale: Locale.EnglishUS },
      channel_id: channel.id,
      channel,
      member: { ...member, permissions: guild.permissionsOf(member.user.id).toString() },
      app_permissions: guild.permissionsOf(this.#botUser.id).toString(),
      locale: Locale.EnglishUS,
      guild_locale: Locale.EnglishUS,
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild.id },
      context: InteractionContextType.Guild,
      attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
    };
  }

  #commandData(path: CommandPath) {
    const { id, guildId } = this.#commands.reference(path.name, this.#guild.id);
    const scope = guildId ? { guild_id: guildId } : {};
    return { id, name: path.name, type: ApplicationCommandType.ChatInput, ...scope } as const;
  }

  #toDataOption(
    commandOption: CommandOption,
    resolved: APIInteractionDataResolved,
  ): APIApplicationCommandInteractionDataBasicOption {
    switch (commandOption.type) {
      case OptionType.User: {
        const { user, ...member } = this.#guild.member(commandOption.username);
        resolved.users = { ...resolved.users, [user.id]: user };
        resolved.members = {
          ...resolved.members,
          [user.id]: { ...member, permissions: this.#guild.permissionsOf(user.id).toString() },
        };
        return { type: commandOption.type, name: commandOption.name, value: user.id };
      }
      case OptionType.Attachment: {
        const { attachment } = commandOption;
        resolved.attachments = { ...resolved.attachments, [attachment.id]: attachment };
        return { type: commandOption.type, name: commandOption.name, value: attachment.id };
      }
      default:
        return commandOption;
    }
  }
}

// Discord leaves `options` out entirely when a command has none.
function optionsField<Option>(options: Option[]): { options?: Option[] } {
  return options.length > 0 ? { options } : {};
}

function nestUnderSubcommand<Type extends InteractionType>(
  path: CommandPath,
  options: APIApplicationCommandInteractionDataBasicOption<Type>[],
): APIApplicationCommandInteractionDataOption<Type>[] {
  if (!path.subcommand) return options;
  const subcommand = { type: OptionType.Subcommand, name: path.subcommand, options } as const;
  if (!path.subcommandGroup) return [subcommand];
  return [{ type: OptionType.SubcommandGroup, name: path.subcommandGroup, options: [subcommand] }];
}
