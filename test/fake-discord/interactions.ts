import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType as OptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  PermissionFlagsBits,
} from 'discord.js';
import type {
  APIApplicationCommandAutocompleteInteraction,
  APIApplicationCommandInteractionDataBasicOption,
  APIApplicationCommandInteractionDataOption,
  APIAttachment,
  APIBaseInteraction,
  APIChatInputApplicationCommandInteraction,
  APIDMChannel,
  APIInteractionDataResolved,
  APIMessage,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
  APIUser,
} from 'discord.js';
import type { CommandRegistry } from './commands.ts';
import type { DirectMessageChannels } from './direct-messages.ts';
import type { FakeGuild } from './guild.ts';
import type { GuildList, GuildRef } from './guild-list.ts';
import type { GuildTextChannel } from './payloads.ts';
import { nextSnowflake } from './snowflake.ts';
import type { UserDirectory } from './users.ts';

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

/** Where an interaction outside any guild comes from: the user's DM with the bot, or another DM or group DM. */
export type OutsideGuildContext = InteractionContextType.BotDM | InteractionContextType.PrivateChannel;

/** Who acts, and where; by default in the first guild's first text channel. */
export interface Actor {
  /** Username, e.g. `'alice'`: a member of the guild, or outside guilds any user some guild spec introduced. */
  user: string;
  /** Channel name or id, in the guild the interaction comes from. */
  channel?: string;
  /** The guild the interaction comes from (name, id or the guild); else the channel's, if given by id. */
  guild?: GuildRef;
  /** Sends the interaction outside any guild instead, with `user` in place of `member`, as Discord does. */
  context?: OutsideGuildContext;
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

/** An interaction as dispatched: from a guild (`guild_id` and `member`) or from outside one (`user`). */
export type FakeInteraction =
  | APIChatInputApplicationCommandInteraction
  | APIApplicationCommandAutocompleteInteraction
  | APIMessageComponentInteraction
  | APIModalSubmitInteraction;

type BaseFields<Type extends InteractionType> = Omit<APIBaseInteraction<Type, never>, 'data' | 'message'> &
  Required<Pick<APIBaseInteraction<Type, never>, 'channel' | 'channel_id'>>;

/** Where an interaction happens, resolved from an `Actor`. */
type Place =
  | { guild: FakeGuild; channel: GuildTextChannel }
  | { guild?: undefined; context: OutsideGuildContext; user: APIUser; channel: APIDMChannel };

const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

// What Discord grants an app in a channel its bot cannot see (outside guilds, or in a guild without the bot),
// read off real interaction payloads.
const APP_PERMISSIONS_WITHOUT_BOT =
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.MentionEveryone |
  PermissionFlagsBits.SendPolls;
// Guilds and the bot's own DMs add external emojis.
const APP_PERMISSIONS_WITH_EMOJIS = APP_PERMISSIONS_WITHOUT_BOT | PermissionFlagsBits.UseExternalEmojis;

// A guild install reports its guild; in the bot's DM Discord reports the guild install as "0".
const BOT_DM_INSTALL_OWNER = '0';

/** Builds INTERACTION_CREATE payloads shaped like the ones Discord sends, in guilds and outside them. */
export class InteractionFactory {
  readonly #applicationId: string;
  readonly #botUser: APIUser;
  readonly #guilds: GuildList;
  readonly #users: UserDirectory;
  readonly #directMessages: DirectMessageChannels;
  readonly #commands: CommandRegistry;

  constructor(parts: {
    applicationId: string;
    botUser: APIUser;
    guilds: GuildList;
    users: UserDirectory;
    directMessages: DirectMessageChannels;
    commands: CommandRegistry;
  }) {
    this.#applicationId = parts.applicationId;
    this.#botUser = parts.botUser;
    this.#guilds = parts.guilds;
    this.#users = parts.users;
    this.#directMessages = parts.directMessages;
    this.#commands = parts.commands;
  }

  /** The id of the channel an actor's interaction would come from. */
  channelOf(actor: Actor): string {
    return this.#place(actor).channel.id;
  }

  slashCommand(input: SlashCommandInput): APIChatInputApplicationCommandInteraction {
    const place = this.#place(input);
    const resolved: APIInteractionDataResolved = {};
    const options = (input.options ?? []).map((commandOption) => this.#toDataOption(commandOption, resolved, place));
    return {
      ...this.#base(InteractionType.ApplicationCommand, input, place),
      data: {
        ...this.#commandData(input, place),
        ...optionsField(nestUnderSubcommand(input, options)),
        ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      },
    };
  }

  autocomplete(input: AutocompleteInput): APIApplicationCommandAutocompleteInteraction {
    const place = this.#place(input);
    const resolved: APIInteractionDataResolved = {};
    const filled = (input.options ?? []).map((commandOption) => this.#toDataOption(commandOption, resolved, place));
    const focused = { type: OptionType.String, ...input.focused, focused: true } as const;
    return {
      ...this.#base(InteractionType.ApplicationCommandAutocomplete, input, place),
      data: { ...this.#commandData(input, place), options: nestUnderSubcommand(input, [...filled, focused]) },
    };
  }

  buttonPress(input: ComponentInput): APIMessageComponentInteraction {
    return {
      ...this.#base(InteractionType.MessageComponent, input),
      message: input.message,
      data: { custom_id: input.customId, component_type: ComponentType.Button },
    };
  }

  selectMenu(input: SelectMenuInput): APIMessageComponentInteraction {
    return {
      ...this.#base(InteractionType.MessageComponent, input),
      message: input.message,
      data: { custom_id: input.customId, component_type: ComponentType.StringSelect, values: input.values },
    };
  }

  modalSubmit(input: ModalSubmitInput): APIModalSubmitInteraction {
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

  #place(actor: Actor): Place {
    if (actor.context === undefined) {
      // A channel id names its guild, so a test answering a message in guild B need not name B again.
      const channelGuild = actor.channel === undefined ? undefined : this.#guilds.findChannel(actor.channel)?.guild;
      const guild = actor.guild === undefined ? (channelGuild ?? this.#guilds.first) : this.#guilds.get(actor.guild);
      // On Discord a message's buttons are pressed in the message's guild; no other guild can reach them.
      if (channelGuild && channelGuild !== guild) {
        throw new Error(`Channel ${actor.channel} is in guild ${channelGuild.name}, not ${guild.name}`);
      }
      return { guild, channel: guild.channel(actor.channel) };
    }
    if (actor.guild !== undefined) throw new Error('An interaction outside any guild cannot name a guild');
    const user = this.#users.existing(actor.user);
    const channel =
      actor.context === InteractionContextType.BotDM
        ? this.#directMessages.open(user)
        : this.#directMessages.privateChannelOf(user);
    if (actor.channel !== undefined && actor.channel !== channel.id) {
      throw new Error(`${actor.user}'s interaction outside guilds comes from channel ${channel.id}, not ${actor.channel}`);
    }
    return { context: actor.context, user, channel };
  }

  #base<Type extends InteractionType>(type: Type, actor: Actor, place = this.#place(actor)): BaseFields<Type> {
    const common = {
      id: nextSnowflake(),
      application_id: this.#applicationId,
      type,
      token: randomBytes(96).toString('base64url'),
      version: 1 as const,
      channel_id: place.channel.id,
      channel: place.channel,
      locale: Locale.EnglishUS,
      entitlements: [],
      attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
    };
    const { guild } = place;
    if (!guild) {
      const owners =
        place.context === InteractionContextType.BotDM
          ? { [ApplicationIntegrationType.GuildInstall]: BOT_DM_INSTALL_OWNER }
          : { [ApplicationIntegrationType.UserInstall]: place.user.id };
      const appPermissions =
        place.context === InteractionContextType.BotDM ? APP_PERMISSIONS_WITH_EMOJIS : APP_PERMISSIONS_WITHOUT_BOT;
      return {
        ...common,
        user: place.user,
        app_permissions: appPermissions.toString(),
        authorizing_integration_owners: owners,
        context: place.context,
      };
    }
    const member = guild.member(actor.user);
    const appPermissions = guild.botIsMember ? guild.permissionsOf(this.#botUser.id) : APP_PERMISSIONS_WITH_EMOJIS;
    return {
      ...common,
      guild_id: guild.id,
      guild: { id: guild.id, features: [], locale: Locale.EnglishUS },
      member: { ...member, permissions: guild.permissionsOf(member.user.id).toString() },
      app_permissions: appPermissions.toString(),
      guild_locale: Locale.EnglishUS,
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild.id },
      context: InteractionContextType.Guild,
    };
  }

  #commandData(path: CommandPath, place: Place) {
    const { id, guildId } = this.#commands.reference(path.name, place.guild?.id);
    const scope = guildId ? { guild_id: guildId } : {};
    return { id, name: path.name, type: ApplicationCommandType.ChatInput, ...scope } as const;
  }

  #toDataOption(
    commandOption: CommandOption,
    resolved: APIInteractionDataResolved,
    { guild }: Place,
  ): APIApplicationCommandInteractionDataBasicOption {
    switch (commandOption.type) {
      case OptionType.User: {
        // Outside guilds Discord resolves the user alone, there being no membership to report.
        if (!guild) {
          const user = this.#users.existing(commandOption.username);
          resolved.users = { ...resolved.users, [user.id]: user };
          return { type: commandOption.type, name: commandOption.name, value: user.id };
        }
        const { user, ...member } = guild.member(commandOption.username);
        resolved.users = { ...resolved.users, [user.id]: user };
        resolved.members = {
          ...resolved.members,
          [user.id]: { ...member, permissions: guild.permissionsOf(user.id).toString() },
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
