import type { z } from 'zod';
import { isJsonObject } from './json.ts';
import type { JsonObject } from './json.ts';

/** Discord's JSON error codes for the failures the fake reproduces. */
export const DiscordErrorCode = {
  General: 0,
  UnknownApplication: 10002,
  UnknownChannel: 10003,
  UnknownGuild: 10004,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownUser: 10013,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  InteractionAlreadyAcknowledged: 40060,
  MissingAccess: 50001,
  CannotSendMessagesToThisUser: 50007,
  MissingPermissions: 50013,
  ThreadAlreadyCreated: 160004,
  CannotSendEmptyMessage: 50006,
  InvalidFormBody: 50035,
  InvalidJson: 50109,
} as const;

/** Thrown anywhere while handling a request; the server turns it into Discord's `{ message, code }` body. */
export class DiscordApiError extends Error {
  override readonly name = 'DiscordApiError';

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: JsonObject,
  ) {
    super(message);
  }

  toJson(): JsonObject {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export const unknownResource = (code: number, what: string): DiscordApiError =>
  new DiscordApiError(404, code, `Unknown ${what}`);

interface FieldError {
  path: readonly PropertyKey[];
  code: string;
  message: string;
}

/** Discord's 50035, with errors nested by field path and an `_errors` list at each leaf. */
export function invalidFormBody(fieldErrors: readonly FieldError[]): DiscordApiError {
  const errors: JsonObject = {};
  for (const { path, code, message } of fieldErrors) {
    let node = errors;
    for (const segment of path) {
      const key = String(segment);
      const child = node[key];
      const next = isJsonObject(child) ? child : {};
      node[key] = next;
      node = next;
    }
    node._errors = [...(Array.isArray(node._errors) ? node._errors : []), { code, message }];
  }
  return new DiscordApiError(400, DiscordErrorCode.InvalidFormBody, 'Invalid Form Body', errors);
}

/** Validates a request body the way Discord does, answering 50035 with per-field errors on failure. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw invalidFormBody(
    result.error.issues.map((issue) => ({ path: issue.path, code: discordCodeFor(issue), message: issue.message })),
  );
}

function discordCodeFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return 'BASE_TYPE_MAX_LENGTH';
    case 'too_small':
      return 'BASE_TYPE_MIN_LENGTH';
    case 'invalid_format':
      return 'STRING_TYPE_REGEX';
    default:
      return 'BASE_TYPE_INVALID';
  }
}
