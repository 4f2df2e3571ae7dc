import type { Action, Card, CardField, Modal, Reply } from '../reply.ts';
import { truncate } from './format.ts';

/**
 * What Discord accepts in one message, modal or autocomplete answer. Anything over is refused whole (50035
 * "Invalid Form Body"), so a member who typed long names would get no answer at all: every payload is fitted here.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Titles, descriptions, field names and values and footers of all the embeds of one message together. */
  embedsTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  selectOptions: 25,
  selectPlaceholder: 150,
  /** An option's label, value and description each. */
  selectOptionText: 100,
  modalTitle: 45,
  modalFields: 5,
  inputLabel: 45,
  inputPlaceholder: 100,
  inputValue: 4000,
  choices: 25,
  choiceText: 100,
  threadName: 100,
} as const;

const ELLIPSIS = '…';

/**
 * `text` in at most `max` characters. A list (one item a line) keeps its first whole lines and says how many it
 * left out ("…and 6 more"); a single line is cut and ends with "…".
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  let kept = 0;
  let keptLength = -1;
  for (const line of lines.slice(0, -1)) {
    const withLine = keptLength + 1 + line.length;
    if (withLine + `\n${ELLIPSIS}and ${lines.length - kept - 1} more`.length > max) break;
    kept += 1;
    keptLength = withLine;
  }
  if (kept > 0) return `${lines.slice(0, kept).join('\n')}\n${ELLIPSIS}and ${lines.length - kept} more`;
  return truncate(text, max);
}

/** Lines packed into as few fields as hold them all, so a long list is shown whole rather than cut. */
export function fieldsOfLines(name: string, lines: readonly string[], inline = false): CardField[] {
  const fields: CardField[] = [];
  let value = '';
  for (const line of lines.map((l) => shorten(l, DISCORD_LIMITS.fieldValue))) {
    if (value !== '' && value.length + 1 + line.length > DISCORD_LIMITS.fieldValue) {
      fields.push({ name: fields.length === 0 ? name : `${name} (continued)`, value, inline });
      value = line;
    } else {
      value = value === '' ? line : `${value}\n${line}`;
    }
  }
  fields.push({ name: fields.length === 0 ? name : `${name} (continued)`, value, inline });
  return fields;
}

function fitCardParts(card: Card): Card {
  const fields = card.fields ?? [];
  const shown = fields.length <= DISCORD_LIMITS.fields ? fields : fields.slice(0, DISCORD_LIMITS.fields - 1);
  const left = fields.length - shown.length;
  return {
    ...card,
    title: shorten(card.title, DISCORD_LIMITS.title),
    ...(card.description === undefined ? {} : { description: shorten(card.description, DISCORD_LIMITS.description) }),
    fields: [
      ...shown.map((field) => ({ ...field, name: shorten(field.name, DISCORD_LIMITS.fieldName), value: shorten(field.value, DISCORD_LIMITS.fieldValue) })),
      ...(left > 0 ? [{ name: ELLIPSIS, value: `and ${left} more` }] : []),
    ],
    ...(card.footer === undefined ? {} : { footer: shorten(card.footer, DISCORD_LIMITS.footer) }),
  };
}

function cardLength(card: Card): number {
  const fields = (card.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  return card.title.length + (card.description?.length ?? 0) + fields + (card.footer?.length ?? 0);
}

/** One text of a card that can give up characters, and how to put its shorter self back. */
interface Shrinkable {
  length: number;
  /** How many characters it keeps whatever happens (a title or field cannot be empty). */
  floor: number;
  set(max: number): void;
}

/**
 * Cards as Discord takes them in one message: each text within its own limit, at most 25 fields, 10 cards, and
 * 6,000 characters in all. Over the total, the long texts give way first — descriptions, then field values from the
 * last, then footers, names and titles — each keeping as much as the budget allows.
 */
export function fitCards(cards: readonly Card[]): Card[] {
  const fitted = cards.slice(0, DISCORD_LIMITS.embeds).map(fitCardParts);
  let excess = fitted.reduce((sum, card) => sum + cardLength(card), 0) - DISCORD_LIMITS.embedsTotal;
  if (excess <= 0) return fitted;
  const shrinkables: Shrinkable[] = [
    ...fitted.flatMap((card) => optional(card, 'description')),
    ...fitted.flatMap((card) =>
      (card.fields ?? []).toReversed().map((field) => required(field.value.length, (max) => (field.value = shorten(field.value, max)))),
    ),
    ...fitted.flatMap((card) => optional(card, 'footer')),
    ...fitted.flatMap((card) => (card.fields ?? []).map((field) => required(field.name.length, (max) => (field.name = shorten(field.name, max))))),
    ...fitted.map((card) => required(card.title.length, (max) => (card.title = shorten(card.title, max)))),
  ];
  for (const text of shrinkables) {
    if (excess <= 0) break;
    const cut = Math.min(excess, text.length - text.floor);
    if (cut <= 0) continue;
    text.set(text.length - cut);
    excess -= cut;
  }
  return fitted;
}

function required(length: number, set: (max: number) => void): Shrinkable {
  return { length, floor: 1, set };
}

function optional(card: Card, key: 'description' | 'footer'): Shrinkable[] {
  const text = card[key];
  if (text === undefined) return [];
  return [{ length: text.length, floor: 0, set: (max) => (card[key] = shorten(text, max)) }];
}

function fitAction(action: Action): Action {
  if (action.kind === 'button') return { ...action, label: shorten(action.label, DISCORD_LIMITS.buttonLabel) };
  const text = (value: string) => shorten(value, DISCORD_LIMITS.selectOptionText);
  return {
    ...action,
    placeholder: shorten(action.placeholder, DISCORD_LIMITS.selectPlaceholder),
    options: action.options.slice(0, DISCORD_LIMITS.selectOptions).map((option) => ({
      label: text(option.label),
      // Values are Crux's own ids; cutting one would make it point elsewhere, so an overlong one is a bug upstream.
      value: option.value,
      ...(option.description === undefined ? {} : { description: text(option.description) }),
    })),
  };
}

/** At most 5 rows of at most 5 buttons (a select fills its row), each label within its limit. */
export function fitActions(rows: readonly Action[][]): Action[][] {
  return rows.slice(0, DISCORD_LIMITS.actionRows).map((row) => row.slice(0, DISCORD_LIMITS.buttonsPerRow).map(fitAction));
}

export function fitReply(reply: Reply): Reply {
  return {
    ...reply,
    ...(reply.content === undefined ? {} : { content: shorten(reply.content, DISCORD_LIMITS.content) }),
    cards: fitCards(reply.cards),
    actions: fitActions(reply.actions),
  };
}

export function fitModal(modal: Modal): Modal {
  return {
    ...modal,
    title: shorten(modal.title, DISCORD_LIMITS.modalTitle),
    fields: modal.fields.slice(0, DISCORD_LIMITS.modalFields).map((field) => ({
      ...field,
      label: shorten(field.label, DISCORD_LIMITS.inputLabel),
      ...(field.value === undefined ? {} : { value: shorten(field.value, Math.min(field.maxLength ?? DISCORD_LIMITS.inputValue, DISCORD_LIMITS.inputValue)) }),
      ...(field.placeholder === undefined ? {} : { placeholder: shorten(field.placeholder, DISCORD_LIMITS.inputPlaceholder) }),
    })),
  };
}

/**
 * Autocomplete answers: at most 25, names within 100 characters. A value longer than 100 is left out rather than
 * cut, since a cut value would name something else.
 */
export function fitChoices<T extends { name: string; value: string }>(choices: readonly T[]): T[] {
  return choices
    .filter((choice) => choice.value.length <= DISCORD_LIMITS.choiceText)
    .slice(0, DISCORD_LIMITS.choices)
    .map((choice) => ({ ...choice, name: shorten(choice.name, DISCORD_LIMITS.choiceText) }));
}
