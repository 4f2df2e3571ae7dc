import { z } from 'zod';
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

const embedSchema = z.custom<APIEmbed>(isJsonObject, 'Expected an embed object').superRefine((embed, context) => {
  for (const issue of embedLimitsSchema.safeParse(embed).error?.issues ?? []) context.addIssue({ ...issue });
});

const componentSchema = z.custom<APIMessageTopLevelComponent>(isJsonObject, 'Expected a component object');

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
  embeds: z.array(embedSchema).max(10).nullish(),
  components: z.array(componentSchema).nullish(),
  flags: z.number().int().nullish(),
  attachments: z.array(attachmentReferenceSchema).max(10).nullish(),
});

export type MessageBody = z.output<typeof messageBodySchema>;
export type AttachmentReference = z.output<typeof attachmentReferenceSchema>;
