import { buildApplication, createBotIdentity } from './bot-identity.ts';
import { createCdnRouter } from './cdn.ts';
import { CommandRegistry } from './commands.ts';
import { DirectMessageChannels } from './direct-messages.ts';
import { FakeDiscord } from './fake-discord.ts';
import { FakeGateway } from './gateway.ts';
import { FakeGuild } from './guild.ts';
import type { GuildSpec } from './guild.ts';
import { GuildList } from './guild-list.ts';
import { InteractionTracker } from './interaction-tracker.ts';
import { InteractionFactory } from './interactions.ts';
import { MessageStore } from './message-store.ts';
import { createApiRouter } from './rest.ts';
import { FakeHttpServer } from './server.ts';
import { ThreadChannels } from './threads.ts';
import { UserDirectory } from './users.ts';
import { shardAlignedSnowflakes } from './snowflake.ts';

export interface FakeDiscordOptions {
  /** HELLO's heartbeat_interval. Discord uses 41 250 ms; reliability tests want a few hundred. */
  heartbeatIntervalMs?: number;
  botName?: string;
  /** The one guild; same as `guilds: [guild]`. */
  guild?: GuildSpec;
  /** Several guilds, each with distinct names; the first is the default. A username is one user in all of them. */
  guilds?: GuildSpec[];
  /** The shard count `GET /gateway/bot` recommends; default 1. Guild `i` of the list is on shard `i % shards`. */
  shards?: number;
  /** `session_start_limit.max_concurrency`: how many shards may identify in each 5 s; default 1, as most bots get. */
  maxConcurrency?: number;
}

const DISCORD_HEARTBEAT_INTERVAL_MS = 41_250;

/** Starts the fake REST API and gateway on 127.0.0.1 (random ports) with one bot in one guild or several. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const identity = createBotIdentity(options.botName ?? 'Crux');
  const users = new UserDirectory();
  const guildId = shardAlignedSnowflakes();
  const guilds = new GuildList(guildSpecs(options).map((spec, index) => new FakeGuild(guildId(index), spec, identity.user, users)));
  const directMessages = new DirectMessageChannels();
  const threads = new ThreadChannels();
  const http = await FakeHttpServer.listen();
  const gateway = await FakeGateway.start({
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DISCORD_HEARTBEAT_INTERVAL_MS,
    identity,
    guilds,
  });
  const messages = new MessageStore(`${http.origin}/attachments`);
  const interactions = new InteractionTracker(identity.applicationId, identity.user, messages);
  const commands = new CommandRegistry(identity.applicationId);
  http.serve({
    api: createApiRouter({
      identity,
      application: buildApplication(identity, guilds.first.owner.user),
      guilds,
      users,
      gatewayUrl: gateway.url,
      sharding: { shards: options.shards ?? 1, maxConcurrency: options.maxConcurrency ?? 1 },
      messages,
      interactions,
      commands,
      directMessages,
      threads,
    }),
    cdn: createCdnRouter(messages),
    botToken: identity.token,
  });
  return new FakeDiscord({
    http,
    gateway,
    applicationId: identity.applicationId,
    botUser: identity.user,
    botToken: identity.token,
    guilds,
    users,
    messages,
    interactions,
    directMessages,
    threads,
    interactionFactory: new InteractionFactory({
      applicationId: identity.applicationId,
      botUser: identity.user,
      guilds,
      users,
      directMessages,
      commands,
    }),
    commands,
  });
}

function guildSpecs({ guild, guilds }: FakeDiscordOptions): GuildSpec[] {
  if (guild && guilds) throw new Error('Give startFakeDiscord either `guild` or `guilds`, not both');
  return guilds ?? [guild ?? {}];
}

export type { FakeDiscord, ButtonPressInput, SelectMenuPressInput } from './fake-discord.ts';
export type { FakeGateway } from './gateway.ts';
export { MARKET_MOD_ROLE } from './guild.ts';
export type { FakeGuild, GuildSpec, MemberSpec, RoleSpec } from './guild.ts';
export type { GuildRef } from './guild-list.ts';
export { option } from './interactions.ts';
export type {
  AutocompleteInput,
  CommandOption,
  FakeInteraction,
  ModalSubmitInput,
  OutsideGuildContext,
  SlashCommandInput,
} from './interactions.ts';
export type { RecordedCallback } from './interaction-callback.ts';
export type { RegisteredCommand } from './commands.ts';
export type { FailureAnswer, HeldRequests, RequestMatch } from './faults.ts';
export type { HostedFile } from './message-store.ts';
export type { UploadedFile } from './multipart.ts';
export type { RecordedRequest } from './server.ts';
export type { WaitOptions } from './wait.ts';
