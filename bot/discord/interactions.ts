import {
  type AutocompleteInteraction,
  type CommandInteractionOption,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
  type RepliableInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import type { DirectMessages } from './dm.ts';
import { type MarketCardRedraws, recordPostedCard } from './market-message.ts';
import type { MarketThreads } from './threads.ts';
import { type App, runHandler } from '../commands/command.ts';
import { findCommand } from '../commands/index.ts';
import { type ComponentEvent, handleComponent, isCruxComponent } from '../components/index.ts';
import { type Card, type Invocation, type Reply, replyWith } from '../reply.ts';
import type { CommandNames } from './command-names.ts';
import { PendingConfirmations } from './confirmations.ts';
import { invocationOf } from './invocation.ts';
import { RateLimiter } from '../rate-limit.ts';
import { type RealmId, realmOfGuild } from '../../markets/realms/realm.ts';
import { fitChoices } from '../render/limits.ts';
import { NO_MENTIONS, privateFlags, toMessage, toModal } from './payload.ts';
import { postAlso, postReply } from './post.ts';
import { errorMessage } from '../../markets/errors.ts';

const PLAIN_FALLBACK =
  '⚠️ Discord refused to show Crux\'s answer. Check /portfolio or /market show to see where things stand before trying again.';

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

/** An interaction made inside a server: only those have a realm to act in. */
type GuildInteraction = Interaction & { guildId: string };

function isGuildInteraction(interaction: Interaction): interaction is GuildInteraction {
  return interaction.guildId !== null;
}

/**
 * Every command is registered for servers only, but an old registration or a user-installed context can still send
 * one of Crux's from a DM: it gets a private note and nothing is written.
 */
async function answerOutsideServer(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    await interaction.respond([]);
    return;
  }
  if (!interaction.isRepliable()) return;
  await interaction.reply({
    content: '⚠️ Crux works inside a server: each server has its own markets and credits. Use its commands in a server where Crux is installed.',
    flags: MessageFlags.Ephemeral,
  });
}

export interface InteractionHandlerOptions {
  app: App;
  client: Client;
  now: () => number;
  names: CommandNames;
  cards: MarketCardRedraws;
  threads: MarketThreads;
  dms: DirectMessages;
  /** Takes the work that follows a reply (cards, thread lines, DMs), which shutdown must wait for but no reply does. */
  afterReply: (work: Promise<void>) => void;
}

/**
 * Whether an interaction is Crux's to answer: one of its slash commands (or their autocomplete) under the names it
 * was registered by, or a button, select or form whose custom id carries Crux's prefix. Everything else is the
 * host's: Crux does not answer it, delay it, count it against a rate limit or log it.
 */
export function isCruxInteraction(interaction: Interaction, names: CommandNames): boolean {
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) return names.command(interaction.commandName) !== undefined;
  if (interaction.isButton() || interaction.isStringSelectMenu() || interaction.isModalSubmit()) return isCruxComponent(interaction.customId);
  return false;
}

/** The Discord edge: interaction in, invocation through the shared handlers, reply out. */
export function createInteractionHandler({ app, client, now, names, cards, threads, dms, afterReply }: InteractionHandlerOptions) {
  const recent = new RecentIds(5000);
  const limiter = new RateLimiter(now);
  const pending = new PendingConfirmations();

  const cardPosted = (marketId: string, channelId: string, messageId: string) => recordPostedCard({ client, app, threads }, marketId, channelId, messageId);

  /** Holds an irreversible command and shows the asker what it will do, with Confirm and Cancel. */
  function askToConfirm(invocation: Invocation, card: Card): Reply {
    const { confirmId, dismissId } = pending.hold(invocation);
    return replyWith({
      ephemeral: true,
      cards: [card],
      actions: [
        [
          { kind: 'button', id: confirmId, label: 'Confirm', style: 'danger' },
          { kind: 'button', id: dismissId, label: 'Cancel', style: 'secondary' },
        ],
      ],
    });
  }

  /** Confirm runs the held command as it was asked, with the presser's permissions as they are now. */
  async function settleConfirmation(interaction: ButtonInteraction & GuildInteraction): Promise<void> {
    const taken = pending.take(interaction.customId, interaction.user.id, now());
    const closeWith = (content: string) => interaction.update(toMessage(replyWith({ content })));
    if (taken.kind === 'not_yours') {
      await send(interaction, replyWith({ ephemeral: true, content: '⚠️ Only the member who asked can confirm or cancel this.' }));
      return;
    }
    if (taken.kind === 'gone') {
      await closeWith('⚠️ This confirmation has expired or was already answered; run the command again.');
      return;
    }
    if (!PendingConfirmations.isConfirm(interaction.customId)) {
      await closeWith('Cancelled; nothing was changed.');
      return;
    }
    const asked = taken.action.invocation;
    const current = invocationIn(interaction, asked.command, []);
    if (current.realm !== asked.realm) {
      await closeWith('⚠️ This confirmation belongs to another server; nothing was changed.');
      return;
    }
    const invocation: Invocation = { ...asked, actor: current.actor, requestId: interaction.id, now: current.now };
    const command = findCommand(asked.command);
    if (!command) return;
    const reply = await runHandler(() => command.execute(invocation, app), app, {
      command: asked.command,
      interaction: interaction.id,
      user: interaction.user.id,
    });
    if (reply.ephemeral) {
      await closeWith(reply.content ?? '⚠️ Nothing was changed.');
      return;
    }
    await closeWith('✅ Confirmed.');
    await interaction.followUp(toMessage(reply));
    redrawMarkets(reply, invocation.realm);
  }

  async function send(interaction: Replyable, reply: Reply): Promise<void> {
    if (reply.modal && !interaction.isModalSubmit()) {
      await interaction.showModal(toModal(reply.modal));
      return;
    }
    const message = { ...toMessage(reply), ...(reply.ephemeral ? { flags: privateFlags(reply) } : {}) };
    if (reply.retiresControls && interaction.isButton() && !reply.ephemeral) {
      // One callback per interaction: the decided message gets the decision in place of its buttons, and the
      // outcome's cards follow as their own message.
      const { content, embeds, files, allowedMentions } = message;
      await interaction.update({ content: content ?? '', components: [], allowedMentions });
      if (embeds.length > 0 || files.length > 0) await interaction.followUp({ embeds, files, allowedMentions });
    } else if (reply.postTo !== undefined) {
      // Acknowledged first, privately: the card's post can wait behind Discord's rate limits past the 3 s it gives an
      // answer, and a redelivery of an interaction already answered stops here rather than posting a second card.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const posted = await postReply(client, realmOfGuild(interaction.guildId), reply.postTo, { ...reply, content: undefined });
      await interaction.editReply({ content: reply.content ?? '✅ Done.', allowedMentions: message.allowedMentions });
      if (reply.postsMarket !== undefined) await cardPosted(reply.postsMarket, posted.channelId, posted.messageId);
    } else if (reply.postsMarket === undefined) {
      await interaction.reply(message);
    } else {
      const posted = (await interaction.reply({ ...message, withResponse: true })).resource?.message;
      if (posted) await cardPosted(reply.postsMarket, posted.channelId, posted.id);
    }
    if (reply.privateFollowUp) await interaction.followUp({ ...toMessage(reply.privateFollowUp), flags: privateFlags(reply.privateFollowUp) });
    redrawMarkets(reply, realmOfGuild(interaction.guildId));
  }

  /** Answers a command that was deferred: its reply replaces the "thinking…" note. */
  async function sendDeferred(interaction: ChatInputCommandInteraction, reply: Reply): Promise<void> {
    const message = toMessage(reply);
    if (reply.ephemeral) {
      // Whether a deferred reply is private is fixed when deferring, so a private answer (an error) replaces the
      // public note with a private follow-up rather than showing everyone.
      await interaction.deleteReply();
      await interaction.followUp({ ...message, flags: privateFlags(reply) });
    } else {
      const posted = await interaction.editReply(message);
      if (reply.postsMarket !== undefined) await cardPosted(reply.postsMarket, posted.channelId, posted.id);
    }
    redrawMarkets(reply, realmOfGuild(interaction.guildId));
  }

  /**
   * Started after the reply, so no member waits for a card, a thread line or a DM, and handed to `afterReply` rather
   * than awaited by the interaction's handler: a coalesced card redraw can take seconds, and a handler waiting that
   * long kept its interaction (with the member, options and webhook discord.js builds for it) alive meanwhile. Held
   * by every bet, those outlived young-generation collections, so each collection copied them and took longer.
   */
  function redrawMarkets(reply: Reply, realm: RealmId): void {
    // Only the market ids wait for the redraws, not the whole reply with its cards.
    const markets = reply.refreshMarkets ?? [];
    afterReply(postAlso(client, realm, reply, app.log).then(() => refreshMarkets(markets)));
  }

  async function refreshMarkets(markets: readonly string[]): Promise<void> {
    await Promise.all([...markets.map((marketId) => cards.redraw(marketId)), ...markets.map((marketId) => threads.flush(marketId))]);
    if (markets.length > 0) await dms.sendDue();
  }

  /** The invocation of an interaction made in a server, with that server's moderator role. */
  function invocationIn(interaction: GuildInteraction, command: string, options: readonly CommandInteractionOption[]): Invocation {
    const { moderatorRole } = app.realms.values(realmOfGuild(interaction.guildId));
    return invocationOf(interaction, command, options, moderatorRole, now());
  }

  /** Counts a Crux action against its member's rate limit in that server; over it, answers with the refusal and says so. */
  async function overRateLimit(interaction: Replyable & GuildInteraction): Promise<boolean> {
    const realm = realmOfGuild(interaction.guildId);
    const refusal = limiter.refusal(`${realm}:${interaction.user.id}`, app.realms.values(realm).rateLimitPerMinute);
    if (refusal) await send(interaction, refusal);
    return refusal !== undefined;
  }

  async function autocomplete(interaction: AutocompleteInteraction & GuildInteraction): Promise<void> {
    const command = names.command(interaction.commandName);
    if (!command) return;
    const focused = interaction.options.getFocused(true);
    const invocation = invocationIn(interaction, command.data.name, interaction.options.data);
    let choices: { name: string; value: string }[] = [];
    try {
      choices = command.autocomplete?.(invocation, { name: focused.name, value: String(focused.value) }, app) ?? [];
    } catch (error) {
      app.log('autocomplete failed', { command: interaction.commandName, error: String(error) });
    }
    await interaction.respond(fitChoices(choices));
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
    if (!isCruxInteraction(interaction, names) || !recent.admit(interaction.id)) return;
    try {
      if (!isGuildInteraction(interaction)) {
        await answerOutsideServer(interaction);
        return;
      }
      if (interaction.isAutocomplete()) {
        await autocomplete(interaction);
        return;
      }
      if (interaction.isChatInputCommand()) {
        const command = names.command(interaction.commandName);
        if (!command) return;
        if (await overRateLimit(interaction)) return;
        const invocation = invocationIn(interaction, command.data.name, interaction.options.data);
        const confirmation = command.confirmation?.(invocation, app);
        if (confirmation) {
          const held = { ...invocation, options: { ...invocation.options, ...command.pin?.(invocation, app) } };
          await send(interaction, askToConfirm(held, confirmation));
          return;
        }
        const deferred = command.defer?.(invocation) ?? false;
        // Deferring first buys up to 15 minutes instead of 3 seconds; Discord shows "thinking…" meanwhile.
        if (deferred) await interaction.deferReply();
        const reply = await runHandler(() => command.execute(invocation, app), app, {
          command: interaction.commandName,
          interaction: interaction.id,
          user: interaction.user.id,
        });
        await (deferred ? sendDeferred(interaction, reply) : send(interaction, reply));
        return;
      }
      if (interaction.isButton() || interaction.isStringSelectMenu() || interaction.isModalSubmit()) {
        if (await overRateLimit(interaction)) return;
        if (interaction.isButton() && PendingConfirmations.isConfirmation(interaction.customId)) {
          await settleConfirmation(interaction);
          return;
        }
        const invocation = invocationIn(interaction, 'component', []);
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
      app.log('could not answer an interaction', { interaction: interaction.id, error: errorMessage(error) });
      if (interaction.isRepliable()) await answerPlainly(interaction);
    }
  };

  /**
   * Whatever Discord refused to show, the member still gets an answer: a plain private note in place of the reply,
   * never a spinner or "interaction failed". A deferred command's public "thinking…" is removed rather than edited
   * into the note, which would show the whole channel a failure only the member needs to see.
   */
  async function answerPlainly(interaction: RepliableInteraction): Promise<void> {
    const note = { content: PLAIN_FALLBACK, embeds: [], components: [], files: [], allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral as const };
    const attempts = [
      ...(interaction.deferred || interaction.replied ? [] : [() => interaction.reply(note)]),
      ...(interaction.deferred
        ? [
            async () => {
              await interaction.deleteReply();
              await interaction.followUp(note);
            },
          ]
        : []),
      () => interaction.followUp(note),
    ];
    for (const attempt of attempts) {
      try {
        await attempt();
        return;
      } catch (error) {
        app.log('could not send the plain fallback answer', { interaction: interaction.id, error: errorMessage(error) });
      }
    }
  }
}
