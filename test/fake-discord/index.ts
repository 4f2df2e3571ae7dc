import { buildApplication, createBotIdentity } from './bot-identity.ts';
import { createCdnRouter } from './cdn.ts';
import { CommandRegistry } from './commands.ts';
import { DirectMessageChannels } from './direct-messages.ts';
import { FakeDiscord } from './fake-discord.ts';
import { FakeGateway } from './gateway.ts';
import { FakeGuild } from './guild.ts';
import type { GuildSpec } from './guild.ts';
import { InteractionTracker } from './interaction-tracker.ts';
import { InteractionFactory } from './interactions.ts';
import { MessageStore } from './message-store.ts';
import { createApiRouter } from './rest.ts';
import { FakeHttpServer } from './server.ts';

export interface FakeDiscordOptions {
  /** HELLO's heartbeat_interval. Discord uses 41 250 ms; reliability tests want a few hundred. */
  heartbeatIntervalMs?: number;
  botName?: string;
  guild?: GuildSpec;
}

const DISCORD_HEARTBEAT_INTERVAL_MS = 41_250;

/** Starts the fake REST API and gateway on 127.0.0.1 (random ports) with one bot and one guild. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const identity = createBotIdentity(options.botName ?? 'Crux');
  const guild = new FakeGuild(options.guild ?? {}, identity.user);
  const http = await FakeHttpServer.listen();
  const gateway = await FakeGateway.start({
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DISCORD_HEARTBEAT_INTERVAL_MS,
    identity,
    guild,
  });
  const messages = new MessageStore(`${http.origin}/attachments`);
  const interactions = new InteractionTracker(identity.applicationId, identity.user, messages);
  const commands = new CommandRegistry(identity.applicationId);
  http.serve({
    api: createApiRouter({
      identity,
      application: buildApplication(identity, guild.owner.user),
      guild,
      gatewayUrl: gateway.url,
      messages,
      interactions,
      commands,
      directMessages: new DirectMessageChannels(),
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
    guild,
    messages,
    interactions,
    interactionFactory: new InteractionFactory(identity.applicationId, identity.user, guild, commands),
    commands,
  });
}

export type { FakeDiscord, ButtonPressInput, SelectMenuPressInput } from './fake-discord.ts';
export type { FakeGateway } from './gateway.ts';
export { MARKET_MOD_ROLE } from './guild.ts';
export type { FakeGuild, GuildSpec, MemberSpec, RoleSpec } from './guild.ts';
export { option } from './interactions.ts';
export type {
  AutocompleteInput,
  CommandOption,
  FakeInteraction,
  ModalSubmitInput,
  SlashCommandInput,
} from './interactions.ts';
export type { RecordedCallback } from './interaction-callback.ts';
export type { RegisteredCommand } from './commands.ts';
export type { HostedFile } from './message-store.ts';
export type { UploadedFile } from './multipart.ts';
export type { RecordedRequest } from './server.ts';
export type { WaitOptions } from './wait.ts';
