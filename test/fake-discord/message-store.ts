import { EmbedType, MessageFlags, MessageType } from 'discord.js';
import type { APIAttachment, APIEmbed, APIMessage, APIMessageInteractionMetadata, APIThreadChannel, APIUser } from 'discord.js';
import { DiscordApiError, DiscordErrorCode, invalidFormBody, unknownResource } from './errors.ts';
import type { AttachmentReference, MessageBody } from './message-body.ts';
import type { UploadedFile } from './multipart.ts';
import { nextSnowflake } from './snowflake.ts';

/** Who and what produced a message, besides the body the bot sent. */
export interface MessageOrigin {
  author: APIUser;
  type: MessageType;
  /** Set for interaction responses and follow-ups, which Discord posts through the application's webhook. */
  applicationId?: string;
  interactionMetadata?: APIMessageInteractionMetadata;
  /** Flags Discord adds itself, such as Loading for a deferred reply. */
  extraFlags?: number;
}

export interface HostedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/**
 * Every message the bot created, in its latest state. Messages are replaced, never mutated, so a
 * message object a test already holds keeps showing the state it had when read.
 */
export class MessageStore {
  readonly #messages = new Map<string, APIMessage>();
  readonly #files = new Map<string, HostedFile>();
  readonly #fileBaseUrl: string;

  #refusals = 0;

  constructor(fileBaseUrl: string) {
    this.#fileBaseUrl = fileBaseUrl;
  }

  /** The next `count` messages written (created or edited, not a deferred reply's placeholder) are refused. */
  refuseNext(count: number): void {
    this.#refusals += count;
  }

  #refuseIfAsked(): void {
    if (this.#refusals === 0) return;
    this.#refusals -= 1;
    throw invalidFormBody([{ path: ['embeds', 0, 'image', 'url'], code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }]);
  }

  create(channelId: string, origin: MessageOrigin, body: MessageBody, files: UploadedFile[]): APIMessage {
    const message: APIMessage = {
      id: nextSnowflake(),
      channel_id: channelId,
      author: origin.author,
      content: body.content ?? '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: this.#resolveAttachments(channelId, [], body.attachments, files),
      embeds: asStoredEmbeds(body.embeds),
      components: body.components ?? [],
      pinned: false,
      type: origin.type,
      flags: (body.flags ?? 0) | (origin.extraFlags ?? 0),
      ...(origin.applicationId ? { webhook_id: origin.applicationId, application_id: origin.applicationId } : {}),
      ...(origin.interactionMetadata ? { interaction_metadata: origin.interactionMetadata } : {}),
    };
    // A deferred reply is legitimately empty until it is edited.
    if (!((message.flags ?? 0) & MessageFlags.Loading)) {
      rejectEmpty(message);
      this.#refuseIfAsked();
    }
    this.#messages.set(message.id, message);
    return message;
  }

  /** Applies Discord's PATCH semantics: absent fields stay, `null` clears, `attachments` lists what to keep. */
  edit(messageId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    const current = this.require(messageId);
    const edited: APIMessage = {
      ...current,
      content: body.content === undefined ? current.content : (body.content ?? ''),
      embeds: body.embeds === undefined ? current.embeds : asStoredEmbeds(body.embeds),
      components: body.components === undefined ? current.components : (body.components ?? []),
      attachments: this.#resolveAttachments(current.channel_id, current.attachments, body.attachments, files),
      // Editing a deferred reply is what completes it, so the Loading flag goes away.
      flags: ((current.flags ?? 0) & ~MessageFlags.Loading) | (body.flags ?? 0),
      edited_timestamp: new Date().toISOString(),
    };
    rejectEmpty(edited);
    this.#refuseIfAsked();
    this.#messages.set(messageId, edited);
    return edited;
  }

  /** A thread was started from the message: it says so, as Discord's messages do. */
  markThreadStarted(messageId: string, thread: APIThreadChannel): APIMessage {
    const current = this.require(messageId);
    const marked: APIMessage = { ...current, thread, flags: (current.flags ?? 0) | MessageFlags.HasThread };
    this.#messages.set(messageId, marked);
    return marked;
  }

  delete(messageId: string): void {
    this.require(messageId);
    this.#messages.delete(messageId);
  }

  get(messageId: string): APIMessage | undefined {
    return this.#messages.get(messageId);
  }

  require(messageId: string): APIMessage {
    const message = this.#messages.get(messageId);
    if (!message) throw unknownResource(DiscordErrorCode.UnknownMessage, 'Message');
    return message;
  }

  /** Messages in creation order (snowflakes increase). */
  inChannel(channelId: string): APIMessage[] {
    return [...this.#messages.values()].filter((message) => message.channel_id === channelId);
  }

  /** Stores bytes and returns an attachment whose URL this fake serves, like Discord's CDN. */
  hostFile(channelId: string, file: HostedFile, description?: string | null): APIAttachment {
    const id = nextSnowflake();
    this.#files.set(id, file);
    const url = `${this.#fileBaseUrl}/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    return {
      id,
      filename: file.filename,
      size: file.bytes.length,
      url,
      proxy_url: url,
      content_type: file.contentType,
      ...(description ? { description } : {}),
    };
  }

  hostedFile(attachmentId: string): HostedFile | undefined {
    return this.#files.get(attachmentId);
  }

  #resolveAttachments(
    channelId: string,
    current: APIAttachment[],
    references: AttachmentReference[] | null | undefined,
    files: UploadedFile[],
  ): APIAttachment[] {
    // Without an explicit list Discord keeps what is there and appends every uploaded file.
    if (!references) return [...current, ...files.map((file) => this.hostFile(channelId, file))];
    return references.map((reference, index) => {
      const kept = current.find((attachment) => attachment.id === reference.id);
      if (kept) return kept;
      const upload = files.find((file) => file.fieldName === `files[${reference.id}]`);
      if (!upload) {
        throw invalidFormBody([
          { path: ['attachments', index, 'id'], code: 'ATTACHMENT_NOT_FOUND', message: 'Unknown attachment' },
        ]);
      }
      return this.hostFile(channelId, upload, reference.description);
    });
  }
}

// Discord stores bot-sent embeds with an explicit type.
function asStoredEmbeds(embeds: APIEmbed[] | null | undefined): APIEmbed[] {
  return (embeds ?? []).map((embed) => ({ type: EmbedType.Rich, ...embed }));
}

function rejectEmpty(message: APIMessage): void {
  const hasSomething =
    message.content.length > 0 ||
    message.embeds.length > 0 ||
    (message.components?.length ?? 0) > 0 ||
    message.attachments.length > 0;
  if (!hasSomething) {
    throw new DiscordApiError(400, DiscordErrorCode.CannotSendEmptyMessage, 'Cannot send an empty message');
  }
}
