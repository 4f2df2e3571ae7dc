import type { APIApplication } from 'discord.js';
import type { BotIdentity } from './bot-identity.ts';
import type { CommandRegistry } from './commands.ts';
import type { DirectMessageChannels } from './direct-messages.ts';
import type { GuildList } from './guild-list.ts';
import type { InteractionTracker } from './interaction-tracker.ts';
import type { MessageStore } from './message-store.ts';
import type { RouteResponse } from './router.ts';
import type { ThreadChannels } from './threads.ts';
import type { UserDirectory } from './users.ts';

/** Everything the REST routes read and change. */
export interface RestContext {
  identity: BotIdentity;
  application: APIApplication;
  guilds: GuildList;
  users: UserDirectory;
  gatewayUrl: string;
  /** What `GET /gateway/bot` recommends: how many shards, and how many of them may identify at once. */
  sharding: { shards: number; maxConcurrency: number };
  messages: MessageStore;
  interactions: InteractionTracker;
  commands: CommandRegistry;
  directMessages: DirectMessageChannels;
  threads: ThreadChannels;
}

export const ok = (json: unknown): RouteResponse => ({ status: 200, json });

export const noContent = (): RouteResponse => ({ status: 204 });
