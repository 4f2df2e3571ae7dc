import { z } from 'zod';
import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import { parseBody } from './errors.ts';
import { nextSnowflake } from './snowflake.ts';

// Discord's rule for chat-input command and option names.
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const chatInputNameSchema = z
  .string()
  .regex(CHAT_INPUT_NAME)
  .refine((name) => name === name.toLowerCase(), 'Command and option names must be lowercase');

export const choiceSchema = z.looseObject({
  name: z.string().min(1).max(100),
  value: z.union([z.string().max(100), z.number()]),
});

const optionSchema = z.looseObject({
  type: z.number().int().min(1).max(11),
  name: chatInputNameSchema,
  description: z.string().min(1).max(100),
  choices: z.array(choiceSchema).max(25).optional(),
  get options() {
    return z.array(optionSchema).max(25).optional();
  },
});

const commandSchema = z
  .looseObject({
    type: z.enum(ApplicationCommandType).default(ApplicationCommandType.ChatInput),
    name: z.string().min(1).max(32),
    description: z.string().max(100).default(''),
    options: z.array(optionSchema).max(25).optional(),
    // Discord answers with null for the permission and context fields a registration left out.
    default_member_permissions: z.string().regex(/^\d+$/, 'Must be a permission bit set').nullable().default(null),
    contexts: z.array(z.enum(InteractionContextType)).nullable().default(null),
    integration_types: z.array(z.enum(ApplicationIntegrationType)).nullable().default(null),
  })
  .superRefine((command, context) => {
    if (command.type !== ApplicationCommandType.ChatInput) return;
    if (!chatInputNameSchema.safeParse(command.name).success) {
      context.addIssue({ code: 'custom', path: ['name'], message: 'Invalid chat input command name' });
    }
    if (command.description.length === 0) {
      context.addIssue({ code: 'custom', path: ['description'], message: 'Chat input commands need a description' });
    }
  });

const bulkOverwriteSchema = z.array(commandSchema).max(100);

export type CommandDefinition = z.output<typeof commandSchema>;

/** A command as Discord returns it after registration. */
export type RegisteredCommand = CommandDefinition & {
  id: string;
  application_id: string;
  guild_id?: string;
  version: string;
};

export interface CommandReference {
  id: string;
  /** Present when the command is registered in a guild rather than globally. */
  guildId?: string;
}

/** Global and per-guild application commands, as set by bulk overwrite. */
export class CommandRegistry {
  readonly #applicationId: string;
  readonly #global: RegisteredCommand[] = [];
  readonly #byGuild = new Map<string, RegisteredCommand[]>();
  // Commands dispatched before (or without) registration still need a stable id.
  readonly #unregisteredIds = new Map<string, string>();

  constructor(applicationId: string) {
    this.#applicationId = applicationId;
  }

  /** `PUT .../commands`: replaces the whole scope, keeping ids of commands that survive (as Discord does). */
  overwrite(guildId: string | undefined, body: unknown): RegisteredCommand[] {
    const previous = this.list(guildId);
    const registered = parseBody(bulkOverwriteSchema, body).map((definition) => {
      const survivor = previous.find((command) => command.name === definition.name && command.type === definition.type);
      return {
        ...definition,
        id: survivor?.id ?? nextSnowflake(),
        application_id: this.#applicationId,
        ...(guildId ? { guild_id: guildId } : {}),
        version: nextSnowflake(),
      };
    });
    if (guildId) this.#byGuild.set(guildId, registered);
    else this.#global.splice(0, this.#global.length, ...registered);
    return registered;
  }

  list(guildId?: string): RegisteredCommand[] {
    return guildId ? [...(this.#byGuild.get(guildId) ?? [])] : [...this.#global];
  }

  /** The command an interaction for `name` in `guildId` (none in DMs) refers to; guild commands shadow global ones. */
  reference(name: string, guildId: string | undefined): CommandReference {
    const guildCommand = guildId ? this.#byGuild.get(guildId)?.find((command) => command.name === name) : undefined;
    if (guildCommand) return { id: guildCommand.id, guildId };
    const globalCommand = this.#global.find((command) => command.name === name);
    if (globalCommand) return { id: globalCommand.id };
    const id = this.#unregisteredIds.get(name) ?? nextSnowflake();
    this.#unregisteredIds.set(name, id);
    return { id };
  }
}
