import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { redrawMarketCard } from './market-message.ts';
import { type App, runHandler } from '../commands/command.ts';
import { findCommand } from '../commands/index.ts';
import { type ComponentEvent, handleComponent, isCruxComponent } from '../components/index.ts';
import type { Reply } from '../reply.ts';
import { invocationOf } from './invocation.ts';
import { toMessage, toModal } from './payload.ts';

/** Remembers recent interaction ids so a duplicated delivery is dropped before it does anything. */
class RecentIds {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time an id is offered. */
  admit(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}

type Replyable = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

export interface InteractionHandlerOptions {
  app: App;
  client: Client;
  now: () => number;
}

/** The Discord edge: interaction in, invocation through the shared handlers, reply out. */
export function createInteractionHandler({ app, client, now }: InteractionHandlerOptions) {
  const recent = new RecentIds(5000);
  const moderatorRole = app.config.CRUX_MODERATOR_ROLE;

  async function send(interaction: Replyable, reply: Reply): Promise<void> {
    if (reply.modal && !interaction.isModalSubmit()) {
      await interaction.showModal(toModal(reply.modal));
      return;
    }
    const message = { ...toMessage(reply), ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}) };
    if (reply.postsMarket === undefined) {
      await interaction.reply(message);
    } else {
      const posted = (await interaction.reply({ ...message, withResponse: true })).resource?.message;
      if (posted) app.service.recordMarketMessage(reply.postsMarket, posted.channelId, posted.id);
    }
    for (const marketId of reply.refreshMarkets ?? []) {
      await redrawMarketCard(client, app, marketId).catch((error: unknown) =>
        app.log('could not redraw a market card', { marketId, error: String(error) }),
      );
    }
  }

  async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const command = findCommand(interaction.commandName);
    const focused = interaction.options.getFocused(true);
    const invocation = invocationOf(interaction, interaction.commandName, interaction.options.data, moderatorRole, now());
    let choices: { name: string; value: string }[] = [];
    try {
      choices = command?.autocomplete?.(invocation, { name: focused.name, value: String(focused.value) }, app) ?? [];
    } catch (error) {
      app.log('autocomplete failed', { command: interaction.commandName, error: String(error) });
    }
    await interaction.respond(choices.slice(0, 25));
  }

  function componentEvent(interaction: ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction): ComponentEvent {
    if (interaction.isButton()) return { kind: 'button', customId: interaction.customId };
    if (interaction.isStringSelectMenu()) return { kind: 'select', customId: interaction.customId, values: interaction.values };
    const fields: Record<string, string> = {};
    for (const [id, field] of interaction.fields.fields) {
      if ('value' in field && typeof field.value === 'string') fields[id] = field.value;
    }
    return { kind: 'modal', customId: interaction.customId, fields };
  }

  return async function onInteraction(interaction: Interaction): Promise<void> {
    if (!recent.admit(interaction.id)) return;
    try {
      if (interaction.isAutocomplete()) {
        await autocomplete(interaction);
        return;
      }
      if (interaction.isChatInputCommand()) {
        const command = findCommand(interaction.commandName);
        if (!command) return;
        const invocation = invocationOf(interaction, interaction.commandName, interaction.options.data, moderatorRole, now());
        const reply = await runHandler(() => command.execute(invocation, app), app, {
          command: interaction.commandName,
          interaction: interaction.id,
          user: interaction.user.id,
        });
        await send(interaction, reply);
        return;
      }
      if (interaction.isButton() || interaction.isStringSelectMenu() || interaction.isModalSubmit()) {
        if (!isCruxComponent(interaction.customId)) return;
        const invocation = invocationOf(interaction, 'component', [], moderatorRole, now());
        const event = componentEvent(interaction);
        const reply = await runHandler(() => handleComponent(event, invocation, app), app, {
          component: interaction.customId,
          interaction: interaction.id,
          user: interaction.user.id,
        });
        await send(interaction, reply);
      }
    } catch (error) {
      // A failure to talk to Discord must never take the bot down; the log says which interaction.
      app.log('could not answer an interaction', { interaction: interaction.id, error: error instanceof Error ? error.message : String(error) });
    }
  };
}
