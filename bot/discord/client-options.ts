import { type ClientOptions, GatewayIntentBits, Options } from 'discord.js';
import { Agent } from 'undici';
import { NO_MENTIONS } from './payload.ts';

/**
 * How long a connection to Discord's API may sit idle and still be used. Discord's front (Cloudflare) keeps an idle
 * HTTP/1.1 connection for 400 s; undici's default lets go after 4 s, so the first replies after any quiet moment each
 * paid a new TCP and TLS handshake, and a burst of interactions after a lull opened one connection per reply at once
 * (200 for 200 bets, seen against the fake Discord).
 */
export const DISCORD_KEEP_ALIVE_MS = 60_000;

/**
 * The client `npm start` runs (each shard's, or the bot's alone), against Discord's API at `api`: REST connections
 * kept for `DISCORD_KEEP_ALIVE_MS` when idle, whatever the server hints (a hint may shorten it, not lengthen it).
 */
export function cruxClientOptions(api: string): ClientOptions {
  return {
    intents: [GatewayIntentBits.Guilds],
    rest: { api, agent: new Agent({ keepAliveTimeout: DISCORD_KEEP_ALIVE_MS, keepAliveMaxTimeout: DISCORD_KEEP_ALIVE_MS }) },
    allowedMentions: NO_MENTIONS,
    // Crux posts and edits through REST and never reads a message back from discord.js's cache, which would only
    // grow with every card and reply (up to 200 a channel).
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
  };
}
