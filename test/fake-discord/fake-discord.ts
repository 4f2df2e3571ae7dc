import { ButtonStyle, ComponentType, GatewayDispatchEvents, MessageType } from 'discord.js';
import type {
  APIActionRowComponent,
  APIApplicationCommandAutocompleteInteraction,
  APIAttachment,
  APIChatInputApplicationCommandInteraction,
  APIComponentInMessageActionRow,
  APIMessage,
  APIMessageComponentInteraction,
  APIModalSubmitInteraction,
  APIThreadChannel,
  APIUser,
} from 'discord.js';
import type { CommandRegistry, RegisteredCommand } from './commands.ts';
import type { DirectMessageChannels } from './direct-messages.ts';
import type { FakeGateway } from './gateway.ts';
import type { FakeGuild } from './guild.ts';
import type { GuildList, GuildRef } from './guild-list.ts';
import type { RecordedCallback } from './interaction-callback.ts';
import type { InteractionTracker } from './interaction-tracker.ts';
import type {
  Actor,
  AutocompleteInput,
  FakeInteraction,
  InteractionFactory,
  ModalSubmitInput,
  SlashCommandInput,
} from './interactions.ts';
import type { FailureAnswer, HeldRequests, RequestMatch } from './faults.ts';
import type { HostedFile, MessageStore } from './message-store.ts';
import type { FakeHttpServer, RecordedRequest } from './server.ts';
import type { ThreadChannels } from './threads.ts';
import type { UserDirectory } from './users.ts';
import { waitForValue, waitUntil } from './wait.ts';
import type { WaitOptions } from './wait.ts';

export interface ButtonPressInput extends Actor {
  customId: string;
  /** A stored message carrying the button; without it the fake posts a bot message with that button first. */
  messageId?: string;
}

export interface SelectMenuPressInput extends ButtonPressInput {
  values: string[];
}

/** The parts `startFakeDiscord` wires together. */
export interface FakeDiscordParts {
  http: FakeHttpServer;
  gateway: FakeGateway;
  applicationId: string;
  botUser: APIUser;
  botToken: string;
  guilds: GuildList;
  users: UserDirectory;
  messages: MessageStore;
  interactions: InteractionTracker;
  directMessages: DirectMessageChannels;
  threads: ThreadChannels;
  interactionFactory: InteractionFactory;
  commands: CommandRegistry;
}

/** A running fake Discord: what tests drive (interactions, faults) and inspect (requests, messages). */
export class FakeDiscord {
  /** Pass as `rest.api` to the discord.js Client. */
  readonly apiBase: string;
  readonly applicationId: string;
  readonly botUser: APIUser;
  readonly botToken: string;
  /** The first guild: where interactions happen unless a test names another. */
  readonly guild: FakeGuild;
  /** Every guild, in the order given to `startFakeDiscord`. */
  readonly guilds: readonly FakeGuild[];
  /** Counters and fault injection for the gateway connection. */
  readonly gateway: FakeGateway;
  readonly #parts: FakeDiscordParts;
  /** Interaction id → the shard ids of each delivery's sessions, in delivery order. */
  readonly #shardsReached = new Map<string, number[]>();

  constructor(parts: FakeDiscordParts) {
    this.#parts = parts;
    this.apiBase = parts.http.apiBase;
    this.applicationId = parts.applicationId;
    this.botUser = parts.botUser;
    this.botToken = parts.botToken;
    this.guild = parts.guilds.first;
    this.guilds = parts.guilds.all;
    this.gateway = parts.gateway;
  }

  /** Every REST request received so far, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.#parts.http.requests;
  }

  /** REST connections opened so far (see FakeHttpServer.connectionsOpened). */
  get connectionsOpened(): number {
    return this.#parts.http.connectionsOpened;
  }

  /** Requests no route matched; a test can assert this is empty to catch calls the fake does not know. */
  get unhandledRequests(): RecordedRequest[] {
    return this.#parts.http.requests.filter((request) => request.unhandled);
  }

  /** A guild by name or id; throws when there is none, so a typo in a test fails loudly. */
  guildByName(nameOrId: string): FakeGuild {
    return this.#parts.guilds.get(nameOrId);
  }

  /** A user by username, whichever guilds they are in (the same account in all of them). */
  user(username: string): APIUser {
    return this.#parts.users.existing(username);
  }

  slashCommand(input: SlashCommandInput): APIChatInputApplicationCommandInteraction {
    return this.#deliver(this.#parts.interactionFactory.slashCommand(input));
  }

  autocomplete(input: AutocompleteInput): APIApplicationCommandAutocompleteInteraction {
    return this.#deliver(this.#parts.interactionFactory.autocomplete(input));
  }

  buttonPress(input: ButtonPressInput): APIMessageComponentInteraction {
    const message = this.#componentMessage(input, {
      type: ComponentType.Button,
      style: ButtonStyle.Primary,
      custom_id: input.customId,
      label: input.customId,
    });
    return this.#deliver(
      this.#parts.interactionFactory.buttonPress({ ...input, channel: message.channel_id, message }),
    );
  }

  selectMenu(input: SelectMenuPressInput): APIMessageComponentInteraction {
    const message = this.#componentMessage(input, {
      type: ComponentType.StringSelect,
      custom_id: input.customId,
      options: input.values.map((value) => ({ label: value, value })),
      max_values: input.values.length,
    });
    return this.#deliver(
      this.#parts.interactionFactory.selectMenu({ ...input, channel: message.channel_id, message }),
    );
  }

  modalSubmit(input: ModalSubmitInput): APIModalSubmitInteraction {
    return this.#deliver(this.#parts.interactionFactory.modalSubmit(input));
  }

  /** Dispatches an interaction again with the same id and token, to simulate duplicate delivery. */
  redeliver(interaction: FakeInteraction): void {
    this.#deliver(interaction);
  }

  /** Hosts a file on the fake CDN, e.g. for `option.attachment('pack', fake.hostAttachment(...))`. */
  hostAttachment(file: HostedFile, channel?: string, guild?: GuildRef): APIAttachment {
    return this.#parts.messages.hostFile(this.#parts.guilds.get(guild).channel(channel).id, file);
  }

  /** The accepted initial response to an interaction, if any. */
  callback(interactionId: string): RecordedCallback | undefined {
    return this.#parts.interactions.callback(interactionId);
  }

  /** Calls `listener` as each interaction's initial callback is accepted, e.g. to time answers without polling. */
  onCallback(listener: (interactionId: string) => void): void {
    this.#parts.interactions.onCallback(listener);
  }

  waitForCallback(interactionId: string, options?: WaitOptions): Promise<RecordedCallback> {
    return waitForValue(() => this.callback(interactionId), `a callback to interaction ${interactionId}`, options);
  }

  /** Resolves with the first recorded request (including ones made before the call) that matches. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, options?: WaitOptions): Promise<RecordedRequest> {
    return waitForValue(() => this.requests.find(predicate), 'a matching REST request', options);
  }

  waitUntil(condition: () => boolean, options?: WaitOptions & { description?: string }): Promise<void> {
    return waitUntil(condition, options?.description ?? 'a condition', options);
  }

  /** The original response in its latest state: the callback's message after any webhook edits. */
  originalResponse(interactionId: string): APIMessage | undefined {
    return this.#parts.interactions.originalResponse(interactionId);
  }

  followUps(interactionId: string): APIMessage[] {
    return this.#parts.interactions.followUps(interactionId);
  }

  /** The shards whose sessions an interaction was dispatched to, one entry per session and delivery. */
  shardsReached(interactionId: string): number[] {
    return this.#shardsReached.get(interactionId) ?? [];
  }

  /** How many times an interaction was dispatched (more than 1 after `redeliver`). */
  deliveries(interactionId: string): number {
    return this.#parts.interactions.deliveries(interactionId);
  }

  /**
   * Messages in a channel of a guild (by name; the first guild unless given) or any channel (by id, e.g. a DM),
   * oldest first, in their latest state.
   */
  messagesIn(channel: string, guild?: GuildRef): APIMessage[] {
    const channelId = this.#parts.guilds.get(guild).channels.find(({ name }) => name === channel)?.id ?? channel;
    return this.#parts.messages.inChannel(channelId);
  }

  /**
   * Fault injection: the next `count` messages the bot writes (channel messages, interaction responses, follow-ups,
   * edits) are refused with a 50035, as Discord refuses a message it will not show for reasons a bot cannot foresee.
   */
  refuseNextMessages(count = 1): void {
    this.#parts.messages.refuseNext(count);
  }

  /**
   * Fault injection by route: matching REST calls (e.g. `{ method: 'POST', path: /\/channels\/\d+\/messages/ }`) are
   * answered `answer` (say a 500, or a 400 with a JSON code), the next `count` of them or every one until the
   * returned function is called.
   */
  failRequests(match: RequestMatch, answer: FailureAnswer, count?: number): () => void {
    return this.#parts.http.faults.fail(match, answer, count);
  }

  /** Fault injection by route: matching REST calls wait unanswered until `release()`, as on a slow network. */
  holdRequests(match: RequestMatch): HeldRequests {
    return this.#parts.http.faults.hold(match);
  }

  message(messageId: string): APIMessage | undefined {
    return this.#parts.messages.get(messageId);
  }

  /** The thread started from a message, if one was. */
  threadOf(messageId: string): APIThreadChannel | undefined {
    return this.#parts.threads.startedFrom(messageId);
  }

  /** What the bot sent `username` by DM, oldest first (none if it never opened a DM with them). */
  directMessagesTo(username: string): APIMessage[] {
    return this.#parts.messages.inChannel(this.directMessageChannelOf(username));
  }

  /** The id of the bot's DM channel with `username` (one per user, as on Discord), e.g. to fail sends to it. */
  directMessageChannelOf(username: string): string {
    return this.#parts.directMessages.open(this.user(username)).id;
  }

  /** From now on the bot's DMs to `username` are refused with 50007, as when they close DMs from server members. */
  closeDirectMessages(username: string): void {
    this.#parts.directMessages.closeFor(this.user(username).id);
  }

  attachmentBytes(attachment: Pick<APIAttachment, 'id'>): Buffer | undefined {
    return this.#parts.messages.hostedFile(attachment.id)?.bytes;
  }

  /** Commands registered by bulk overwrite: global ones, or a guild's when given its id. */
  registeredCommands(guildId?: string): RegisteredCommand[] {
    return this.#parts.commands.list(guildId);
  }

  async close(): Promise<void> {
    await Promise.all([this.#parts.gateway.close(), this.#parts.http.close()]);
  }

  #deliver<Interaction extends FakeInteraction>(interaction: Interaction): Interaction {
    this.#parts.interactions.recordDelivery(interaction);
    const reached = this.#parts.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, interaction);
    this.#shardsReached.set(interaction.id, [...this.shardsReached(interaction.id), ...reached]);
    return interaction;
  }

  #componentMessage(input: ButtonPressInput, component: APIComponentInMessageActionRow): APIMessage {
    const { messages } = this.#parts;
    if (input.messageId) {
      const message = messages.get(input.messageId);
      if (!message) throw new Error(`Fake Discord has no message ${input.messageId}`);
      return message;
    }
    const row: APIActionRowComponent<APIComponentInMessageActionRow> = {
      type: ComponentType.ActionRow,
      components: [component],
    };
    const origin = { author: this.botUser, type: MessageType.Default };
    return messages.create(this.#parts.interactionFactory.channelOf(input), origin, { components: [row] }, []);
  }
}
