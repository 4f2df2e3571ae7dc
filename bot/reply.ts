import type { RealmId } from '../markets/realms/realm.ts';
import type { Actor } from '../markets/service.ts';

/**
 * The transport-neutral shape of a command and its answer, so the same handlers serve Discord and the
 * local console: Discord turns a Reply into embeds and components, the console into text.
 */
export type OptionValue = string | number | boolean;

export interface Invocation {
  command: string;
  subcommand: string | null;
  options: Record<string, OptionValue | undefined>;
  /** The names of the members that user options name, by id, as Discord sent them (absent in the console). */
  userNames?: Record<string, string>;
  actor: Actor;
  /** The server (or the console) the member acts in; every market, balance and setting is looked up in it. */
  realm: RealmId;
  guildId: string | null;
  channelId: string | null;
  /** Unique per delivery of a user's action (a Discord interaction id); repeats are applied once. */
  requestId: string;
  now: number;
  /**
   * Whether a channel id names a channel of this server, as far as Discord's data the bot holds tells; absent where
   * nothing can tell (the console, a server the bot has not cached).
   */
  channelInServer?: (channelId: string) => boolean;
}

export interface CardField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface Card {
  title: string;
  description?: string;
  color?: number;
  fields?: CardField[];
  footer?: string;
  /** The name of an attached file to show as the card's image. */
  image?: string;
}

export type Action =
  | { kind: 'button'; id: string; label: string; style: 'primary' | 'secondary' | 'success' | 'danger' }
  | { kind: 'select'; id: string; placeholder: string; options: { label: string; value: string; description?: string }[] };

export interface ModalField {
  id: string;
  label: string;
  style: 'short' | 'paragraph';
  required: boolean;
  value?: string;
  placeholder?: string;
  maxLength?: number;
}

export interface Modal {
  id: string;
  title: string;
  fields: ModalField[];
}

export interface Attachment {
  name: string;
  data: Buffer;
}

export interface Reply {
  /** Shown only to the person who asked. */
  ephemeral: boolean;
  content?: string;
  cards: Card[];
  /** Rows of buttons or selects. */
  actions: Action[][];
  files: Attachment[];
  /** Ask for more input instead of answering (Discord only). */
  modal?: Modal;
  /** This reply is the market's card: remember where it was posted so price moves can edit it. */
  postsMarket?: string;
  /**
   * Post the cards and actions in this channel instead of answering with them; the member who asked gets `content`
   * privately (Discord only: the console shows it all).
   */
  postTo?: string;
  /** This answer decides what the pressed message offered (a proposal's Accept/Reject): its buttons are removed. */
  retiresControls?: boolean;
  /** Markets whose posted cards should be redrawn (and whose thread lines posted) after this reply. */
  refreshMarkets?: string[];
  /** Links in this reply get no previews (Discord's suppress-embeds flag). */
  suppressEmbeds?: boolean;
  /** A private note to the asker after the reply (Discord only): a question only they should see. */
  privateFollowUp?: Reply;
  /**
   * Cards posted after the reply in other channels (Discord only): the holders of a conditional market its condition
   * cancelled are told so in the conditional's own channel.
   */
  alsoPost?: { channelId: string; cards: Card[] }[];
}

export function replyWith(parts: Partial<Reply>): Reply {
  return { ephemeral: false, cards: [], actions: [], files: [], ...parts };
}

export function errorReply(message: string): Reply {
  return replyWith({ ephemeral: true, content: `⚠️ ${message}` });
}
