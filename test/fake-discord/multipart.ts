import { DiscordApiError, DiscordErrorCode } from './errors.ts';
import { isJsonObject } from './json.ts';
import type { JsonObject } from './json.ts';

/** A file the bot uploaded as a `files[n]` part of a multipart request. */
export interface UploadedFile {
  /** The multipart field name, e.g. `files[0]`. */
  fieldName: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface ParsedBody {
  /** The JSON body, or `payload_json` (plus any plain form fields) for multipart requests. */
  json: unknown;
  files: UploadedFile[];
}

/** Decodes a REST request body as Discord does: JSON, or multipart/form-data with `payload_json` and files. */
export async function parseRequestBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (contentType?.startsWith('multipart/form-data')) return parseMultipart(contentType, raw);
  if (raw.length === 0) return { json: undefined, files: [] };
  return { json: parseJson(raw.toString('utf8')), files: [] };
}

async function parseMultipart(contentType: string, raw: Buffer): Promise<ParsedBody> {
  // undici's Request already implements a spec-compliant multipart parser.
  const form = await new Request('http://fake-discord.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: raw,
  }).formData();
  const fields: JsonObject = {};
  const files: UploadedFile[] = [];
  for (const [fieldName, value] of form.entries()) {
    if (typeof value === 'string') {
      // discord.js sends either payload_json or, with appendToFormData, each body field separately.
      if (fieldName === 'payload_json') Object.assign(fields, parseJsonObject(value));
      else fields[fieldName] = value;
    } else {
      files.push({
        fieldName,
        filename: value.name,
        contentType: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return { json: fields, files };
}

const invalidJson = (): DiscordApiError =>
  new DiscordApiError(400, DiscordErrorCode.InvalidJson, 'The request body contains invalid JSON.');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidJson();
  }
}

function parseJsonObject(text: string): JsonObject {
  const parsed = parseJson(text);
  if (!isJsonObject(parsed)) throw invalidJson();
  return parsed;
}
