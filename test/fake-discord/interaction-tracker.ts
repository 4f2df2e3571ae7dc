import { InteractionResponseType, InteractionType, MessageFlags, MessageType } from 'discord.js';
import type { APIMessage, APIMessageInteractionMetadata, APIUser } from 'discord.js';
import { DiscordApiError, DiscordErrorCode, unknownResource } from './errors.ts';
import { parseCallback } from './interaction-callback.ts';
import type { CallbackResult, InteractionCallback, RecordedCallback } from './interaction-callback.ts';
import type { FakeInteraction } from './interactions.ts';
import type { MessageBody } from './message-body.ts';
import type { MessageOrigin, MessageStore } from './message-store.ts';
import type { UploadedFile } from './multipart.ts';

interface TrackedInteraction {
  payload: FakeInteraction;
  channelId: string;
  deliveries: number;
  callback?: RecordedCallback;
  originalMessageId?: string;
  followUpIds: string[];
}

/**
 * Follows every dispatched interaction through Discord's response rules: one initial callback
 * (later ones fail with 40060), then webhook edits of the original response and follow-ups.
 */
export class InteractionTracker {
  readonly #applicationId: string;
  readonly #botUser: APIUser;
  readonly #messages: MessageStore;
  readonly #byId = new Map<string, TrackedInteraction>();
  readonly #idByToken = new Map<string, string>();
  readonly #callbackListeners: ((interactionId: string) => void)[] = [];

  constructor(applicationId: string, botUser: APIUser, messages: MessageStore) {
    this.#applicationId = applicationId;
    this.#botUser = botUser;
    this.#messages = messages;
  }

  /** Called for every delivery, so redelivering the same payload is tracked as one interaction. */
  recordDelivery(payload: FakeInteraction): void {
    const tracked = this.#byId.get(payload.id) ?? {
      payload,
      channelId: channelIdOf(payload),
      deliveries: 0,
      followUpIds: [],
    };
    tracked.deliveries += 1;
    this.#byId.set(payload.id, tracked);
    this.#idByToken.set(payload.token, payload.id);
  }

  /** Calls `listener` with the interaction's id as each initial callback is accepted: timing without polling. */
  onCallback(listener: (interactionId: string) => void): void {
    this.#callbackListeners.push(listener);
  }

  /** `POST /interactions/:id/:token/callback`. A callback that fails validation does not acknowledge. */
  respond(interactionId: string, token: string, body: unknown, files: UploadedFile[]): CallbackResult {
    const tracked = this.#byId.get(interactionId);
    if (!tracked || tracked.payload.token !== token) {
      throw unknownResource(DiscordErrorCode.UnknownInteraction, 'interaction');
    }
    if (tracked.callback) {
      throw new DiscordApiError(
        400,
        DiscordErrorCode.InteractionAlreadyAcknowledged,
        'Interaction has already been acknowledged.',
      );
    }
    const callback = parseCallback(tracked.payload.type, body);
    const message = this.#applyCallback(tracked, callback, files);
    tracked.callback = { ...callback, interactionId, files };
    for (const listener of this.#callbackListeners) listener(interactionId);
    const flags = message?.flags ?? 0;
    return {
      interaction: {
        id: interactionId,
        type: tracked.payload.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: Boolean(flags & MessageFlags.Loading),
              response_message_ephemeral: Boolean(flags & MessageFlags.Ephemeral),
            }
          : {}),
      },
      resource: { type: callback.type, ...(message ? { message } : {}) },
    };
  }

  /** `POST /webhooks/:appId/:token`. The first follow-up after a deferred reply fills in that reply, as on Discord. */
  followUp(applicationId: string, token: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    const tracked = this.#requireAcknowledged(applicationId, token);
    const original = tracked.originalMessageId ? this.#messages.get(tracked.originalMessageId) : undefined;
    if (original && (original.flags ?? 0) & MessageFlags.Loading) return this.#messages.edit(original.id, body, files);
    const message = this.#messages.create(tracked.channelId, this.#originOf(tracked.payload), body, files);
    tracked.followUpIds.push(message.id);
    return message;
  }

  /** `messageRef` is `@original` or the id of a follow-up, as in `/webhooks/:appId/:token/messages/:messageRef`. */
  editMessage(
    applicationId: string,
    token: string,
    messageRef: string,
    body: MessageBody,
    files: UploadedFile[],
  ): APIMessage {
    return this.#messages.edit(this.#resolveMessageId(applicationId, token, messageRef), body, files);
  }

  getMessage(applicationId: string, token: string, messageRef: string): APIMessage {
    return this.#messages.require(this.#resolveMessageId(applicationId, token, messageRef));
  }

  deleteMessage(applicationId: string, token: string, messageRef: string): void {
    this.#messages.delete(this.#resolveMessageId(applicationId, token, messageRef));
  }

  callback(interactionId: string): RecordedCallback | undefined {
    return this.#byId.get(interactionId)?.callback;
  }

  originalResponse(interactionId: string): APIMessage | undefined {
    const messageId = this.#byId.get(interactionId)?.originalMessageId;
    return messageId ? this.#messages.get(messageId) : undefined;
  }

  followUps(interactionId: string): APIMessage[] {
    return (this.#byId.get(interactionId)?.followUpIds ?? []).flatMap((id) => this.#messages.get(id) ?? []);
  }

  deliveries(interactionId: string): number {
    return this.#byId.get(interactionId)?.deliveries ?? 0;
  }

  #applyCallback(
    tracked: TrackedInteraction,
    callback: InteractionCallback,
    files: UploadedFile[],
  ): APIMessage | undefined {
    const { payload, channelId } = tracked;
    switch (callback.type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const reply = this.#messages.create(channelId, this.#originOf(payload), callback.data, files);
        return this.#setOriginal(tracked, reply);
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const origin = { ...this.#originOf(payload), extraFlags: MessageFlags.Loading };
        const placeholder = this.#messages.create(channelId, origin, { flags: callback.data?.flags }, []);
        return this.#setOriginal(tracked, placeholder);
      }
      case InteractionResponseType.DeferredMessageUpdate:
        return this.#adoptComponentMessage(tracked);
      case InteractionResponseType.UpdateMessage: {
        const componentMessage = this.#adoptComponentMessage(tracked);
        return componentMessage && this.#messages.edit(componentMessage.id, callback.data, files);
      }
      default:
        return undefined;
    }
  }

  #setOriginal(tracked: TrackedInteraction, message: APIMessage): APIMessage {
    tracked.originalMessageId = message.id;
    return message;
  }

  // For component interactions, "the original response" is the message the component sits on.
  #adoptComponentMessage(tracked: TrackedInteraction): APIMessage | undefined {
    const { payload } = tracked;
    if (payload.type !== InteractionType.MessageComponent) return undefined;
    return this.#setOriginal(tracked, this.#messages.require(payload.message.id));
  }

  #requireAcknowledged(applicationId: string, token: string): TrackedInteraction {
    const interactionId = this.#idByToken.get(token);
    const tracked = interactionId ? this.#byId.get(interactionId) : undefined;
    if (applicationId !== this.#applicationId || !tracked?.callback) {
      throw unknownResource(DiscordErrorCode.UnknownWebhook, 'Webhook');
    }
    return tracked;
  }

  #resolveMessageId(applicationId: string, token: string, messageRef: string): string {
    const tracked = this.#requireAcknowledged(applicationId, token);
    const messageId = messageRef === '@original' ? tracked.originalMessageId : messageRef;
    const belongsToInteraction = messageId === tracked.originalMessageId || tracked.followUpIds.includes(messageRef);
    if (!messageId || !belongsToInteraction) throw unknownResource(DiscordErrorCode.UnknownMessage, 'Message');
    return messageId;
  }

  #originOf(payload: FakeInteraction): MessageOrigin {
    return {
      author: this.#botUser,
      type: payload.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
      applicationId: this.#applicationId,
      interactionMetadata: metadataOf(payload),
    };
  }
}

function channelIdOf(payload: FakeInteraction): string {
  const channelId = payload.channel_id ?? payload.channel?.id;
  if (!channelId) throw new Error(`Interaction ${payload.id} has no channel`);
  return channelId;
}

// Discord sends `member` in guilds and `user` elsewhere, never both.
function userOf(payload: FakeInteraction): APIUser {
  const user = payload.member?.user ?? payload.user;
  if (!user) throw new Error(`Interaction ${payload.id} has neither member nor user`);
  return user;
}

function metadataOf(payload: FakeInteraction): APIMessageInteractionMetadata {
  const base = {
    id: payload.id,
    user: userOf(payload),
    authorizing_integration_owners: payload.authorizing_integration_owners,
  };
  switch (payload.type) {
    case InteractionType.MessageComponent:
      return { ...base, type: payload.type, interacted_message_id: payload.message.id };
    case InteractionType.ModalSubmit:
      // The fake does not link a modal to the interaction that opened it, so the modal stands in as its own trigger.
      return {
        ...base,
        type: payload.type,
        triggering_interaction_metadata: { ...base, type: InteractionType.ApplicationCommand },
      };
    default:
      return { ...base, type: InteractionType.ApplicationCommand };
  }
}
