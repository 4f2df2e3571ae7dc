import { z } from 'zod';
import { ComponentType } from 'discord.js';
import type { APIEmbed, APIMessageTopLevelComponent } from 'discord.js';
import { isJsonObject } from './json.ts';

// Discord's documented embed limits; exceeding them is a classic bot bug worth failing on in tests.
const embedLimitsSchema = z.looseObject({
  title: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  fields: z
    .array(z.looseObject({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024) }))
    .max(25)
    .optional(),
  footer: z.looseObject({ text: z.string().max(2048) }).optional(),
  author: z.looseObject({ name: z.string().max(256) }).optional(),
});

/** Reports what `limits` finds wrong with a value as the value's own issues, at their paths inside it. */
export function withinLimits(limits: z.ZodType) {
  return (value: unknown, context: z.RefinementCtx): void => {
    for (const issue of limits.safeParse(value).error?.issues ?? []) context.addIssue({ ...issue });
  };
}

const embedSchema = z.custom<APIEmbed>(isJsonObject, 'Expected an embed object').superRefine(withinLimits(embedLimitsSchema));

/** The characters Discord counts towards the 6,000 all the embeds of one message may hold together. */
function embedCharacters(embed: APIEmbed): number {
  const fields = (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + fields + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
}

const MAX_EMBEDS_TOTAL = 6000;

const embedsSchema = z
  .array(embedSchema)
  .max(10)
  .superRefine((embeds, context) => {
    if (embeds.reduce((sum, embed) => sum + embedCharacters(embed), 0) > MAX_EMBEDS_TOTAL) {
      context.addIssue({ code: 'too_big', origin: 'string', maximum: MAX_EMBEDS_TOTAL, input: embeds, message: `Embed size exceeds maximum size of ${MAX_EMBEDS_TOTAL}` });
    }
  });

const customIdSchema = z.string().min(1).max(100);

// Discord's limits on what a message's action rows hold: buttons and string selects are what bots send.
const buttonLimitsSchema = z.looseObject({ custom_id: customIdSchema.optional(), label: z.string().max(80).optional() });

const selectLimitsSchema = z.looseObject({
  custom_id: customIdSchema,
  placeholder: z.string().max(150).optional(),
  options: z
    .array(z.looseObject({ label: z.string().min(1).max(100), value: z.string().min(1).max(100), description: z.string().max(100).optional() }))
    .min(1)
    .max(25),
});

const LIMITS_BY_TYPE: Partial<Record<number, z.ZodType>> = {
  [ComponentType.Button]: buttonLimitsSchema,
  [ComponentType.StringSelect]: selectLimitsSchema,
};

const rowComponentSchema = z.looseObject({ type: z.number().int() }).superRefine((component, context) => {
  const limits = LIMITS_BY_TYPE[component.type];
  if (limits) withinLimits(limits)(component, context);
});

const actionRowLimitsSchema = z.looseObject({ components: z.array(rowComponentSchema).min(1).max(5) });

const componentSchema = z.custom<APIMessageTopLevelComponent>(isJsonObject, 'Expected a component object').superRefine((component, context) => {
  if (component.type === ComponentType.ActionRow) withinLimits(actionRowLimitsSchema)(component, context);
});

/** An entry of `attachments`: an existing attachment's id to keep, or the index `n` of an uploaded `files[n]`. */
const attachmentReferenceSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  description: z.string().max(1024).nullish(),
});

/**
 * The message fields the bot sends when creating or editing a message (channel message, interaction
 * response, webhook follow-up). Absent fields are left alone on edit; `null` clears them.
 */
export const messageBodySchema = z.object({
  content: z.string().max(2000).nullish(),
  embeds: embedsSchema.nullish(),
  components: z.array(componentSchema).max(5).nullish(),
  flags: z.number().int().nullish(),
  attachments: z.array(attachmentReferenceSchema).max(10).nullish(),
});

export type MessageBody = z.output<typeof messageBodySchema>;
export type AttachmentReference = z.output<typeof attachmentReferenceSchema>;
