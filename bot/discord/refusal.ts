import { DiscordAPIError } from 'discord.js';

/**
 * Whether Discord refused a request for good, for reasons that are the server's or the member's to change (no
 * permission, a channel gone, DMs closed): those are expected and change what Crux does, never an error to log.
 */
export function isRefusal(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && (error.status === 403 || error.status === 404);
}
