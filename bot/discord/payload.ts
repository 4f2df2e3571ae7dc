import {
  ActionRowBuilder,
  type APIEmbed,
  MessageFlags,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  type MessageActionRowComponentBuilder,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { fitModal, fitReply } from '../render/limits.ts';
import { type Action, type Card, type Modal, type Reply, replyWith } from '../reply.ts';

const BUTTON_STYLES = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

/** Nothing Crux sends may ping anyone: user text is echoed back, and it could say @everyone. */
export const NO_MENTIONS = { parse: [] as [] };

/**
 * allowed_mentions already stops every ping; this also keeps echoed text from *looking* like a crowd ping (and from
 * pinging if a member quotes it). A zero-width space after the @ leaves it readable and inert. Defusing twice
 * changes nothing, so text defused to be measured (packed thread lines, DMs) passes `textBody` unchanged.
 */
export function defuseCrowdPings(text: string): string {
  return text.replace(/@(everyone|here)/g, '@\u200b$1').replace(/<@&/g, '<@\u200b&');
}

function defuseCard(card: Card): Card {
  return {
    ...card,
    title: defuseCrowdPings(card.title),
    ...(card.description === undefined ? {} : { description: defuseCrowdPings(card.description) }),
    ...(card.fields === undefined ? {} : { fields: card.fields.map((field) => ({ ...field, name: defuseCrowdPings(field.name), value: defuseCrowdPings(field.value) })) }),
    ...(card.footer === undefined ? {} : { footer: defuseCrowdPings(card.footer) }),
  };
}

/** Defused first, then fitted, so the zero-width spaces defusing adds are counted against Discord's limits too. */
function sendable(reply: Reply): Reply {
  return fitReply({
    ...reply,
    ...(reply.content === undefined ? {} : { content: defuseCrowdPings(reply.content) }),
    cards: reply.cards.map(defuseCard),
  });
}

/**
 * A plain embed object rather than EmbedBuilder: the builder validates every field again, throwing and catching errors
 * inside (about a millisecond a card under load), and `sendable` has already fitted the reply to Discord's limits.
 */
function toEmbed(card: Card): APIEmbed {
  return {
    title: card.title,
    ...(card.description ? { description: card.description } : {}),
    ...(card.color !== undefined ? { color: card.color } : {}),
    ...(card.fields && card.fields.length > 0
      ? { fields: card.fields.map((field) => ({ name: field.name || '\u200b', value: field.value || '—', inline: field.inline ?? false })) }
      : {}),
    ...(card.footer ? { footer: { text: card.footer } } : {}),
    ...(card.image ? { image: { url: `attachment://${card.image}` } } : {}),
  };
}

function toComponent(action: Action): MessageActionRowComponentBuilder {
  if (action.kind === 'button') {
    return new ButtonBuilder().setCustomId(action.id).setLabel(action.label).setStyle(BUTTON_STYLES[action.style]);
  }
  return new StringSelectMenuBuilder()
    .setCustomId(action.id)
    .setPlaceholder(action.placeholder)
    .addOptions(action.options.map((o) => ({ label: o.label, value: o.value, ...(o.description ? { description: o.description } : {}) })));
}

/** A reply as Discord will take it: nothing pings, and everything fits Discord's limits. */
export function toMessage(original: Reply) {
  const reply = sendable(original);
  return {
    ...(reply.content ? { content: reply.content } : {}),
    embeds: reply.cards.map(toEmbed),
    components: reply.actions.map((row) => new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(row.map(toComponent))),
    files: reply.files.map((file) => new AttachmentBuilder(file.data, { name: file.name })),
    allowedMentions: NO_MENTIONS,
    ...(reply.suppressEmbeds ? { flags: ['SuppressEmbeds' as const] } : {}),
  };
}

/** A text message posted through the REST API (thread lines, DMs): defused and fitted like every reply. */
export function textBody(content: string, previews: boolean) {
  return {
    content: sendable(replyWith({ content })).content ?? '',
    allowed_mentions: NO_MENTIONS,
    ...(previews ? {} : { flags: MessageFlags.SuppressEmbeds }),
  };
}

/** The flags of a private answer: private, and link previews off where asked. */
export function privateFlags(reply: Reply): ('Ephemeral' | 'SuppressEmbeds')[] {
  return reply.suppressEmbeds ? ['Ephemeral', 'SuppressEmbeds'] : ['Ephemeral'];
}

export function toModal(original: Modal): ModalBuilder {
  const modal = fitModal(original);
  return new ModalBuilder()
    .setCustomId(modal.id)
    .setTitle(modal.title)
    .addComponents(
      modal.fields.map((field) => {
        const input = new TextInputBuilder()
          .setCustomId(field.id)
          .setLabel(field.label)
          .setStyle(field.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short)
          .setRequired(field.required);
        if (field.value !== undefined) input.setValue(field.value);
        if (field.placeholder !== undefined) input.setPlaceholder(field.placeholder);
        if (field.maxLength !== undefined) input.setMaxLength(field.maxLength);
        return new ActionRowBuilder<TextInputBuilder>().addComponents(input);
      }),
    );
}
