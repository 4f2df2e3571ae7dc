import { z } from 'zod';
import { InteractionResponseType, InteractionType } from 'discord.js';
import type { APIMessage, APIModalInteractionResponseCallbackComponent } from 'discord.js';
import { choiceSchema } from './commands.ts';
import { invalidFormBody, parseBody } from './errors.ts';
import type { FakeInteraction } from './interactions.ts';
import { isJsonObject } from './json.ts';
import { messageBodySchema, withinLimits } from './message-body.ts';
import type { UploadedFile } from './multipart.ts';

// A modal's rows each hold one text input, within Discord's limits.
const modalRowLimitsSchema = z.looseObject({
  components: z
    .array(
      z.looseObject({
        custom_id: z.string().min(1).max(100),
        label: z.string().min(1).max(45).optional(),
        placeholder: z.string().max(100).optional(),
        value: z.string().max(4000).optional(),
      }),
    )
    .length(1),
});

const modalSchema = z.object({
  custom_id: z.string().min(1).max(100),
  title: z.string().min(1).max(45),
  components: z
    .array(z.custom<APIModalInteractionResponseCallbackComponent>(isJsonObject, 'Expected a component object').superRefine(withinLimits(modalRowLimitsSchema)))
    .min(1)
    .max(5),
});

const callbackSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal(InteractionResponseType.Pong) }),
  z.object({ type: z.literal(InteractionResponseType.ChannelMessageWithSource), data: messageBodySchema }),
  z.object({
    type: z.literal(InteractionResponseType.DeferredChannelMessageWithSource),
    data: z.object({ flags: z.number().int().nullish() }).optional(),
  }),
  z.object({ type: z.literal(InteractionResponseType.DeferredMessageUpdate) }),
  z.object({ type: z.literal(InteractionResponseType.UpdateMessage), data: messageBodySchema }),
  z.object({
    type: z.literal(InteractionResponseType.ApplicationCommandAutocompleteResult),
    data: z.object({ choices: z.array(choiceSchema).max(25) }),
  }),
  z.object({ type: z.literal(InteractionResponseType.Modal), data: modalSchema }),
]);

/** The body of `POST /interactions/:id/:token/callback`, validated. */
export type InteractionCallback = z.output<typeof callbackSchema>;

/** The one response Discord accepted for an interaction, with any files uploaded alongside it. */
export type RecordedCallback = InteractionCallback & { interactionId: string; files: UploadedFile[] };

/** What the callback route answers instead of 204 when asked `?with_response=true`. */
export interface CallbackResult {
  interaction: {
    id: string;
    type: InteractionType;
    response_message_id?: string;
    response_message_loading?: boolean;
    response_message_ephemeral?: boolean;
  };
  resource: { type: InteractionResponseType; message?: APIMessage };
}

// Which responses Discord accepts for each kind of interaction. PONG is absent on purpose: it only
// answers PING, which Discord sends to HTTP-endpoint apps, never over the gateway.
const ALLOWED_RESPONSES: Record<FakeInteraction['type'], readonly InteractionResponseType[]> = {
  [InteractionType.ApplicationCommand]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.Modal,
  ],
  [InteractionType.MessageComponent]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
    InteractionResponseType.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [InteractionResponseType.ApplicationCommandAutocompleteResult],
  [InteractionType.ModalSubmit]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
  ],
};

/** Validates a callback body and that its response type fits the interaction, answering 50035 otherwise. */
export function parseCallback(interactionType: FakeInteraction['type'], body: unknown): InteractionCallback {
  const callback = parseBody(callbackSchema, body);
  if (!ALLOWED_RESPONSES[interactionType].includes(callback.type)) {
    throw invalidFormBody([
      { path: ['type'], code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid interaction response type' },
    ]);
  }
  return callback;
}
