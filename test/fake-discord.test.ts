import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActionRowBuilder,
  ApplicationIntegrationType,
  AttachmentBuilder,
  ChannelType,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  InteractionContextType,
  InteractionResponseType,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  Routes,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import type { Interaction } from 'discord.js';
import { MARKET_MOD_ROLE, option, startFakeDiscord } from './fake-discord/index.ts';
import type { FakeDiscord, FakeDiscordOptions, GuildSpec } from './fake-discord/index.ts';

// A PNG signature plus an IHDR chunk header: enough for discord.js to sniff the type as image/png.
const PNG_BYTES = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);

// Short enough that a missed heartbeat ACK turns into a reconnect within about a second.
const HEARTBEAT_INTERVAL_MS = 300;

let fake: FakeDiscord;
let client: Client;
let handlerErrors: unknown[];

/** Starts a fake Discord and logs a discord.js client in to it. */
async function connect(options: FakeDiscordOptions): Promise<void> {
  fake = await startFakeDiscord({ heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, ...options });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase } });
  handlerErrors = [];
  const ready = once(client, Events.ClientReady);
  await client.login(fake.botToken);
  await ready;
}

async function disconnect(): Promise<void> {
  await client.destroy();
  await fake.close();
}

beforeEach(() => connect({}));

afterEach(async () => {
  await disconnect();
  expect(handlerErrors).toEqual([]);
  expect(fake.unhandledRequests).toEqual([]);
});

/** Registers an interaction handler whose failures fail the test instead of vanishing. */
function onInteraction(handler: (interaction: Interaction) => Promise<void>): void {
  client.on(Events.InteractionCreate, (interaction) => {
    handler(interaction).catch((error: unknown) => handlerErrors.push(error));
  });
}

describe('login', () => {
  it('discovers the gateway over REST, identifies, and caches the guild with its channels, roles and members', () => {
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(fake.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /gateway/bot']);
    expect(fake.gateway.identifyCount).toBe(1);

    const guild = client.guilds.cache.get(fake.guild.id);
    expect(guild?.name).toBe(fake.guild.name);
    expect(guild?.channels.cache.map((channel) => channel.name)).toEqual(['general', 'markets', 'market-log']);
    expect(guild?.roles.cache.map((role) => role.name)).toContain(MARKET_MOD_ROLE);

    const canManageServer = (username: string) =>
      guild?.members.cache.get(fake.guild.member(username).user.id)?.permissions.has(PermissionFlagsBits.ManageGuild);
    expect(canManageServer('moderator')).toBe(true);
    expect(canManageServer('owner')).toBe(true);
    expect(canManageServer('alice')).toBe(false);
  });
});

describe('interactions', () => {
  it('delivers a slash command with typed options and receives an ephemeral reply as callback type 4', async () => {
    const evidence = fake.hostAttachment({ filename: 'evidence.png', contentType: 'image/png', bytes: PNG_BYTES });
    const seen: unknown[] = [];
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const attachment = interaction.options.getAttachment('evidence', true);
      const downloaded = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
      seen.push({
        command: `${interaction.commandName} ${interaction.options.getSubcommand()}`,
        claim: interaction.options.getString('claim'),
        stake: interaction.options.getInteger('stake'),
        probability: interaction.options.getNumber('probability'),
        anonymous: interaction.options.getBoolean('anonymous'),
        counterparty: interaction.options.getUser('counterparty')?.username,
        evidenceMatches: downloaded.equals(PNG_BYTES),
        canManageServer: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild),
      });
      await interaction.reply({ content: 'Bet placed.', flags: MessageFlags.Ephemeral });
    });

    const command = fake.slashCommand({
      name: 'market',
      subcommand: 'bet',
      user: 'alice',
      channel: 'markets',
      options: [
        option.string('claim', 'scaling-laws'),
        option.integer('stake', 50),
        option.number('probability', 0.7),
        option.boolean('anonymous', false),
        option.user('counterparty', 'bob'),
        option.attachment('evidence', evidence),
      ],
    });

    const callback = await fake.waitForCallback(command.id);
    expect(callback).toMatchObject({
      type: InteractionResponseType.ChannelMessageWithSource,
      data: { content: 'Bet placed.', flags: MessageFlags.Ephemeral },
    });
    expect(seen).toEqual([
      {
        command: 'market bet',
        claim: 'scaling-laws',
        stake: 50,
        probability: 0.7,
        anonymous: false,
        counterparty: 'bob',
        evidenceMatches: true,
        canManageServer: false,
      },
    ]);
    expect(fake.originalResponse(command.id)).toMatchObject({
      content: 'Bet placed.',
      channel_id: fake.guild.channel('markets').id,
      flags: MessageFlags.Ephemeral,
    });
  });

  it('reports Manage Server for members holding the Market Mod role', async () => {
    const permissionsByUser = new Map<string, boolean | undefined>();
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const canManageServer = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild);
      permissionsByUser.set(interaction.user.username, canManageServer);
      await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    });

    const byModerator = fake.slashCommand({ name: 'resolve', user: 'moderator' });
    const byAlice = fake.slashCommand({ name: 'resolve', user: 'alice' });
    await Promise.all([fake.waitForCallback(byModerator.id), fake.waitForCallback(byAlice.id)]);

    expect(Object.fromEntries(permissionsByUser)).toEqual({ moderator: true, alice: false });
  });

  it('turns deferReply + editReply with an embed and a PNG into callback 5 and a multipart PATCH', async () => {
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply({
        embeds: [new EmbedBuilder().setTitle('Market chart').setDescription('Probability over time')],
        files: [new AttachmentBuilder(PNG_BYTES, { name: 'chart.png' })],
      });
    });

    const command = fake.slashCommand({ name: 'chart', user: 'bob' });

    const callback = await fake.waitForCallback(command.id);
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const originalPath = `/webhooks/${fake.applicationId}/${command.token}/messages/@original`;
    const edit = await fake.waitForRequest(({ method, path }) => method === 'PATCH' && path === originalPath);
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ embeds: [{ title: 'Market chart' }], attachments: [{ id: '0' }] });
    expect(edit.files).toEqual([
      { fieldName: 'files[0]', filename: 'chart.png', contentType: 'image/png', bytes: PNG_BYTES },
    ]);

    const original = fake.originalResponse(command.id);
    expect(original?.embeds).toEqual([{ type: 'rich', title: 'Market chart', description: 'Probability over time' }]);
    expect(original?.flags).toBe(0); // the Loading flag of the deferred reply is gone
    const [attachment] = original?.attachments ?? [];
    expect(attachment).toMatchObject({ filename: 'chart.png', size: PNG_BYTES.length });
    expect(attachment && fake.attachmentBytes(attachment)).toEqual(PNG_BYTES);
  });

  it('fills a deferred reply with the first follow-up, as Discord does', async () => {
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.followUp({ content: 'Done thinking.' });
      await interaction.followUp({ content: 'And one more thing.' });
    });

    const command = fake.slashCommand({ name: 'portfolio', user: 'alice' });

    await fake.waitUntil(() => fake.followUps(command.id).length === 1);
    expect(fake.originalResponse(command.id)).toMatchObject({
      content: 'Done thinking.',
      flags: MessageFlags.Ephemeral,
    });
    expect(fake.followUps(command.id).map((message) => message.content)).toEqual(['And one more thing.']);
  });

  it('answers autocomplete with callback type 8 and the offered choices', async () => {
    const claims = ['scaling-laws', 'sharp-left-turn', 'deceptive-alignment'];
    onInteraction(async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      const matching = claims.filter((claim) => claim.startsWith(typed));
      await interaction.respond(matching.map((claim) => ({ name: claim, value: claim })));
    });

    const request = fake.autocomplete({
      name: 'market',
      subcommand: 'bet',
      user: 'alice',
      options: [option.integer('stake', 10)],
      focused: { name: 'claim', value: 's' },
    });

    expect(await fake.waitForCallback(request.id)).toMatchObject({
      type: InteractionResponseType.ApplicationCommandAutocompleteResult,
      data: {
        choices: [
          { name: 'scaling-laws', value: 'scaling-laws' },
          { name: 'sharp-left-turn', value: 'sharp-left-turn' },
        ],
      },
    });
  });

  it('shows a modal from a button (callback 9) and reads the submitted fields', async () => {
    const submitted: Record<string, string>[] = [];
    onInteraction(async (interaction) => {
      if (interaction.isButton()) {
        const reasoning = new TextInputBuilder()
          .setCustomId('reasoning')
          .setLabel('Why?')
          .setStyle(TextInputStyle.Paragraph);
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId('resolve-modal:42')
            .setTitle('Resolve market')
            .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(reasoning)),
        );
      } else if (interaction.isModalSubmit()) {
        const reasoning = interaction.fields.getTextInputValue('reasoning');
        submitted.push({ customId: interaction.customId, reasoning });
        await interaction.reply({ content: 'Resolved.', flags: MessageFlags.Ephemeral });
      }
    });

    const press = fake.buttonPress({ customId: 'resolve:42', user: 'moderator', channel: 'markets' });
    const modal = await fake.waitForCallback(press.id);
    expect(modal).toMatchObject({
      type: InteractionResponseType.Modal,
      data: { custom_id: 'resolve-modal:42', title: 'Resolve market' },
    });

    const submit = fake.modalSubmit({
      customId: 'resolve-modal:42',
      fields: { reasoning: 'The paper replicated.' },
      user: 'moderator',
    });
    expect(await fake.waitForCallback(submit.id)).toMatchObject({
      type: InteractionResponseType.ChannelMessageWithSource,
    });
    expect(submitted).toEqual([{ customId: 'resolve-modal:42', reasoning: 'The paper replicated.' }]);
  });

  it('updates the message a select menu sits on (callback 7)', async () => {
    onInteraction(async (interaction) => {
      if (!interaction.isStringSelectMenu()) return;
      await interaction.update({ content: `Chose ${interaction.values.join(', ')}`, components: [] });
    });

    const selection = fake.selectMenu({ customId: 'pick-claim', values: ['sharp-left-turn'], user: 'bob' });

    expect(await fake.waitForCallback(selection.id)).toMatchObject({ type: InteractionResponseType.UpdateMessage });
    expect(fake.message(selection.message.id)).toMatchObject({ content: 'Chose sharp-left-turn', components: [] });
  });

  it('stores messages sent with channel.send and applies edits', async () => {
    const channel = client.channels.cache.get(fake.guild.channel('market-log').id);
    if (!channel?.isSendable()) throw new Error('market-log should be a sendable text channel');

    const sent = await channel.send({ content: 'Market opened', embeds: [new EmbedBuilder().setTitle('Claim 1')] });
    await sent.edit({ content: 'Market closed' });

    expect(fake.messagesIn('market-log')).toMatchObject([
      { id: sent.id, content: 'Market closed', embeds: [{ title: 'Claim 1' }], author: { id: fake.botUser.id } },
    ]);
    expect(fake.message(sent.id)?.edited_timestamp).not.toBeNull();
  });

  it('rejects a second response to a redelivered interaction with 40060, like Discord', async () => {
    const outcomes: string[] = [];
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      try {
        await interaction.reply({ content: 'Counted once.' });
        outcomes.push('replied');
      } catch (error) {
        outcomes.push(error instanceof DiscordAPIError ? `rejected ${error.code}` : 'crashed');
      }
    });

    const command = fake.slashCommand({ name: 'bet', user: 'alice' });
    await fake.waitForCallback(command.id);
    fake.redeliver(command);

    await fake.waitUntil(() => outcomes.length === 2);
    expect(outcomes).toEqual(['replied', 'rejected 40060']);
    expect(fake.deliveries(command.id)).toBe(2);
  });

  it('registers commands by bulk overwrite and validates them like Discord', async () => {
    const guildCommands = client.guilds.cache.get(fake.guild.id)?.commands;
    await guildCommands?.set([{ name: 'market', description: 'Prediction markets' }]);
    await client.application?.commands.set([{ name: 'help', description: 'How Crux works' }]);

    expect(fake.registeredCommands(fake.guild.id)).toMatchObject([{ name: 'market', guild_id: fake.guild.id }]);
    expect(fake.registeredCommands()).toMatchObject([{ name: 'help', application_id: fake.applicationId }]);
    const invalid = client.application?.commands.set([{ name: 'Help', description: 'Uppercase is invalid' }]);
    await expect(invalid).rejects.toMatchObject({ code: 50035 });

    const command = fake.slashCommand({ name: 'market', user: 'alice' });
    expect(command.data).toMatchObject({ id: fake.registeredCommands(fake.guild.id)[0]?.id, guild_id: fake.guild.id });
  });
});

describe('gateway faults', () => {
  /** Dispatches a command and resolves once the bot has answered it. */
  async function expectBotAnswers(user: string): Promise<void> {
    const command = fake.slashCommand({ name: 'ping', user });
    expect(await fake.waitForCallback(command.id, { timeoutMs: 4_000 })).toMatchObject({ data: { content: 'pong' } });
  }

  beforeEach(() => {
    onInteraction(async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply({ content: 'pong' });
    });
  });

  it('resumes after the connection drops and replays what was dispatched meanwhile', async () => {
    fake.gateway.dropConnections();
    // Dispatched while the socket is down: Discord keeps it for the session and replays it on RESUME.
    const missed = fake.slashCommand({ name: 'ping', user: 'alice' });

    await fake.waitUntil(() => fake.gateway.resumeCount === 1);
    expect(await fake.waitForCallback(missed.id)).toMatchObject({ data: { content: 'pong' } });
    await expectBotAnswers('bob');
    expect(fake.gateway.identifyCount).toBe(1);
  });

  it('identifies again when the resume is refused with INVALID_SESSION', async () => {
    fake.gateway.refuseNextResume();
    fake.gateway.dropConnections();

    // discord.js spaces identifies 5 s apart (Discord's identify rate limit), so this one takes a while.
    await fake.waitUntil(() => fake.gateway.identifyCount === 2, { timeoutMs: 8_000 });
    expect(fake.gateway.resumeCount).toBe(1);
    await expectBotAnswers('alice');
  }, 12_000);

  it('reconnects by itself when heartbeats stop being acknowledged', async () => {
    fake.gateway.stopHeartbeatAcks();

    await fake.waitUntil(() => fake.gateway.resumeCount >= 1, { timeoutMs: 4_000 });
    fake.gateway.resumeHeartbeatAcks();
    await expectBotAnswers('alice');
    expect(fake.gateway.identifyCount).toBe(1);
  });
});

/** Two servers sharing some users: mallory moderates Beta and is a plain member of Alpha. */
const ALPHA: GuildSpec = {
  name: 'Alpha',
  textChannels: ['general', 'markets'],
  roles: [{ name: MARKET_MOD_ROLE, permissions: PermissionFlagsBits.ManageGuild }],
  members: [{ username: 'owner' }, { username: 'moderator', roles: [MARKET_MOD_ROLE] }, { username: 'mallory' }],
  ownerUsername: 'owner',
};
const BETA: GuildSpec = {
  name: 'Beta',
  textChannels: ['lobby', 'markets'],
  roles: [{ name: MARKET_MOD_ROLE, permissions: PermissionFlagsBits.ManageGuild }],
  members: [{ username: 'beta-owner' }, { username: 'mallory', roles: [MARKET_MOD_ROLE] }, { username: 'alice' }],
  ownerUsername: 'beta-owner',
};
/** A server that added Crux's commands without its bot, so the gateway never announces it. */
const GAMMA: GuildSpec = { ...BETA, name: 'Gamma', botIsMember: false };

/** What the client saw of one interaction, in the terms a multi-server bot decides by. */
interface SeenInteraction {
  guildId: string | null;
  channelId: string | null;
  cached: boolean;
  canManageServer: boolean | undefined;
}

/** Answers every repliable interaction privately and records where it came from. */
function recordInteractions(): SeenInteraction[] {
  const seen: SeenInteraction[] = [];
  onInteraction(async (interaction) => {
    seen.push({
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      cached: interaction.inCachedGuild(),
      canManageServer: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild),
    });
    if (interaction.isAutocomplete()) await interaction.respond([]);
    else if (interaction.isRepliable()) await interaction.reply({ content: 'seen', flags: MessageFlags.Ephemeral });
  });
  return seen;
}

describe('several guilds', () => {
  beforeEach(async () => {
    await disconnect();
    await connect({ guilds: [ALPHA, BETA, GAMMA] });
  });

  it('announces every guild the bot is in, each with its own roles, and one user id per username', async () => {
    const [alpha, beta, gamma] = fake.guilds;
    if (!alpha || !beta || !gamma) throw new Error('three guilds expected');
    expect(fake.guild).toBe(alpha);
    expect(fake.guildByName('Beta')).toBe(beta);
    expect(client.guilds.cache.map((guild) => guild.name).sort()).toEqual(['Alpha', 'Beta']);
    expect(client.guilds.cache.has(gamma.id)).toBe(false);

    const malloryId = alpha.member('mallory').user.id;
    expect(beta.member('mallory').user.id).toBe(malloryId);
    expect(fake.user('mallory').id).toBe(malloryId);
    expect(fake.user('alice').id).toBe(beta.member('alice').user.id);
    expect(() => alpha.member('alice')).toThrow(/no member alice/);
    const canManage = (guildId: string) =>
      client.guilds.cache.get(guildId)?.members.cache.get(malloryId)?.permissions.has(PermissionFlagsBits.ManageGuild);
    expect(canManage(alpha.id)).toBe(false);
    expect(canManage(beta.id)).toBe(true);
    expect(client.guilds.cache.get(beta.id)?.channels.cache.map((channel) => channel.name)).toEqual(['lobby', 'markets']);

    const fetched = await client.guilds.fetch({ guild: beta.id, force: true });
    expect(fetched.name).toBe('Beta');
    expect((await fetched.members.fetch(malloryId)).roles.cache.map((role) => role.name)).toContain(MARKET_MOD_ROLE);
    await expect(client.guilds.fetch({ guild: gamma.id, force: true })).rejects.toMatchObject({ code: 50001 });
    await expect(client.channels.fetch(gamma.channel('markets').id)).rejects.toMatchObject({ code: 50001 });
  });

  it("delivers each kind of interaction in the guild it names, with that guild's channel and member permissions", async () => {
    const seen = recordInteractions();
    const beta = fake.guildByName('Beta');
    const inBeta = { user: 'mallory', guild: 'Beta', channel: 'markets' } as const;

    const sent = [
      fake.slashCommand({ ...inBeta, name: 'market', subcommand: 'close' }),
      fake.autocomplete({ ...inBeta, name: 'market', subcommand: 'close', focused: { name: 'market', value: '' } }),
      fake.buttonPress({ ...inBeta, customId: 'close' }),
      fake.selectMenu({ ...inBeta, customId: 'pick', values: ['yes'] }),
      fake.modalSubmit({ ...inBeta, customId: 'form', fields: { reason: 'done' } }),
      fake.slashCommand({ user: 'mallory', name: 'market', subcommand: 'close' }),
    ];
    await Promise.all(sent.map((interaction) => fake.waitForCallback(interaction.id)));

    const inBetaAsModerator = {
      guildId: beta.id,
      channelId: beta.channel('markets').id,
      cached: true,
      canManageServer: true,
    };
    const inAlphaAsMember = {
      guildId: fake.guild.id,
      channelId: fake.guild.channel().id,
      cached: true,
      canManageServer: false,
    };
    expect(seen).toEqual([...Array.from({ length: 5 }, () => inBetaAsModerator), inAlphaAsMember]);
    expect(fake.messagesIn('markets', 'Beta').map(({ id }) => id)).toContain(fake.originalResponse(sent[0]?.id ?? '')?.id);
  });

  it("answers a button on a message in guild B as B's, from the message's channel alone", async () => {
    const seen = recordInteractions();
    const card = fake.buttonPress({ user: 'alice', guild: 'Beta', channel: 'lobby', customId: 'card' });
    await fake.waitForCallback(card.id);

    const press = fake.buttonPress({ user: 'mallory', channel: card.channel_id, messageId: card.message.id, customId: 'card' });
    await fake.waitForCallback(press.id);

    expect(press).toMatchObject({ guild_id: fake.guildByName('Beta').id, channel_id: card.channel_id });
    expect(seen.map(({ canManageServer }) => canManageServer)).toEqual([false, true]);
    const fromAlpha = { user: 'mallory', guild: 'Alpha', channel: card.channel_id, messageId: card.message.id };
    expect(() => fake.buttonPress({ ...fromAlpha, customId: 'card' })).toThrow(/is in guild Beta, not Alpha/);
  });

  it("carries member and permissions for a guild the client has no cache of, as Discord's payload does", async () => {
    const seen = recordInteractions();
    const gamma = fake.guildByName('Gamma');

    const command = fake.slashCommand({ user: 'mallory', guild: 'Gamma', name: 'market', subcommand: 'close' });
    expect(await fake.waitForCallback(command.id)).toMatchObject({ data: { content: 'seen' } });

    expect(seen).toEqual([
      { guildId: gamma.id, channelId: gamma.channel().id, cached: false, canManageServer: true },
    ]);
    expect(command).toMatchObject({
      guild_id: gamma.id,
      member: { user: { username: 'mallory' }, roles: [gamma.role(MARKET_MOD_ROLE).id] },
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: gamma.id },
    });
    expect(fake.originalResponse(command.id)?.channel_id).toBe(gamma.channel().id);
  });

  it('registers commands per guild and lets each guild refer to its own', async () => {
    const [alpha, beta] = ['Alpha', 'Beta'].map((name) => client.guilds.cache.find((guild) => guild.name === name));
    await alpha?.commands.set([{ name: 'market', description: 'Markets of Alpha' }]);
    await beta?.commands.set([
      { name: 'market', description: 'Markets of Beta' },
      { name: 'mod', description: 'Moderation', defaultMemberPermissions: PermissionFlagsBits.ManageGuild },
    ]);

    const betaId = fake.guildByName('Beta').id;
    expect(fake.registeredCommands(fake.guild.id).map(({ description }) => description)).toEqual(['Markets of Alpha']);
    expect(fake.registeredCommands(betaId)).toMatchObject([
      { name: 'market', guild_id: betaId, default_member_permissions: null },
      { name: 'mod', guild_id: betaId, default_member_permissions: PermissionFlagsBits.ManageGuild.toString() },
    ]);
    const command = fake.slashCommand({ user: 'mallory', guild: 'Beta', name: 'market' });
    expect(command.data).toMatchObject({ id: fake.registeredCommands(betaId)[0]?.id, guild_id: betaId });
  });

  it('keeps the permissions, contexts and integration types of a global registration', async () => {
    await client.application?.commands.set([
      {
        name: 'mod',
        description: 'Moderation',
        defaultMemberPermissions: PermissionFlagsBits.ManageGuild,
        contexts: [InteractionContextType.Guild],
        integrationTypes: [ApplicationIntegrationType.GuildInstall],
      },
      { name: 'help', description: 'How Crux works' },
    ]);

    expect(fake.registeredCommands()).toMatchObject([
      {
        name: 'mod',
        default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
        contexts: [InteractionContextType.Guild],
        integration_types: [ApplicationIntegrationType.GuildInstall],
      },
      { name: 'help', default_member_permissions: null, contexts: null, integration_types: null },
    ]);
    // Raw REST, since discord.js's types would not let a test send a context Discord does not have.
    const unknownContext = [{ name: 'bad', description: 'Unknown context', contexts: [7] }];
    const invalid = client.rest.put(Routes.applicationCommands(fake.applicationId), { body: unknownContext });
    await expect(invalid).rejects.toMatchObject({ code: 50035 });
  });
});

describe('outside any guild', () => {
  it("delivers a command from the bot's DM with user instead of member, and takes a private reply there", async () => {
    const seen: unknown[] = [];
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen.push({
        inGuild: interaction.inGuild(),
        context: interaction.context,
        channelId: interaction.channelId,
        user: interaction.user.username,
        member: interaction.member,
      });
      await interaction.reply({ content: 'Crux works inside a server.', flags: MessageFlags.Ephemeral });
    });

    const command = fake.slashCommand({ user: 'alice', name: 'market', context: InteractionContextType.BotDM });

    expect(await fake.waitForCallback(command.id)).toMatchObject({ data: { content: 'Crux works inside a server.' } });
    expect(seen).toEqual([
      { inGuild: false, context: InteractionContextType.BotDM, channelId: command.channel_id, user: 'alice', member: null },
    ]);
    expect(command).not.toHaveProperty('guild_id');
    expect(command).not.toHaveProperty('member');
    expect(command).toMatchObject({
      user: { id: fake.guild.member('alice').user.id },
      channel: { type: ChannelType.DM },
      context: InteractionContextType.BotDM,
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: '0' },
    });
    // The bot's DM with alice is the one it would open itself.
    const dm = await (await client.users.fetch(fake.guild.member('alice').user.id)).createDM();
    expect(dm.id).toBe(command.channel_id);
    expect(fake.messagesIn(dm.id).map(({ content }) => content)).toEqual(['Crux works inside a server.']);
  });

  it("delivers a user-installed app's command from a private channel the bot cannot reach", async () => {
    const seen = recordInteractions();

    const command = fake.slashCommand({ user: 'bob', name: 'market', context: InteractionContextType.PrivateChannel });
    await fake.waitForCallback(command.id);

    expect(seen).toEqual([{ guildId: null, channelId: command.channel_id, cached: false, canManageServer: undefined }]);
    expect(command).toMatchObject({
      user: { username: 'bob' },
      context: InteractionContextType.PrivateChannel,
      authorizing_integration_owners: { [ApplicationIntegrationType.UserInstall]: fake.guild.member('bob').user.id },
    });
    await expect(client.channels.fetch(command.channel_id)).rejects.toMatchObject({ code: 10003 });
  });

  it('refuses to place a DM interaction in a guild, and a user nobody introduced', () => {
    expect(() => fake.slashCommand({ user: 'alice', name: 'x', guild: fake.guild, context: InteractionContextType.BotDM })).toThrow(
      /cannot name a guild/,
    );
    expect(() => fake.slashCommand({ user: 'nobody', name: 'x', context: InteractionContextType.BotDM })).toThrow(/no user nobody/);
  });
});

describe('shards', () => {
  const shardClients: Client[] = [];

  /** A client holding one shard of two, as a process spawned by discord.js's ShardingManager does. */
  async function shardClient(shardId: number): Promise<Client> {
    const shard = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase }, shards: [shardId], shardCount: 2 });
    shardClients.push(shard);
    const ready = once(shard, Events.ClientReady);
    await shard.login(fake.botToken);
    await ready;
    return shard;
  }

  // Shard 0's client is the `client` the other tests use; shard 1's joins it where a test needs both.
  beforeEach(async () => {
    await disconnect();
    fake = await startFakeDiscord({ heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, guilds: [ALPHA, BETA], shards: 2 });
    handlerErrors = [];
    client = await shardClient(0);
  });

  afterEach(async () => {
    await Promise.all(shardClients.splice(1).map((shard) => shard.destroy()));
    shardClients.splice(0);
  });

  it('recommends its shard count and places the guilds listed in turn on shards 0 and 1', async () => {
    const gateway = (await client.rest.get(Routes.gatewayBot())) as { shards: number };
    expect(gateway.shards).toBe(2);
    const [alpha, beta] = fake.guilds;
    if (!alpha || !beta) throw new Error('two guilds expected');
    expect([alpha, beta].map((guild) => Number((BigInt(guild.id) >> 22n) % 2n))).toEqual([0, 1]);
    expect(alpha.id).not.toBe(beta.id);
  });

  it("sends each guild's GUILD_CREATE and interactions only to its shard's session, and DMs to shard 0", async () => {
    const [zero, one] = [client, await shardClient(1)];
    expect(fake.gateway.identifiedShards).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(zero.guilds.cache.map((guild) => guild.name)).toEqual(['Alpha']);
    expect(one.guilds.cache.map((guild) => guild.name)).toEqual(['Beta']);

    const answered: string[] = [];
    for (const [name, shard] of [['zero', zero], ['one', one]] as const) {
      shard.on(Events.InteractionCreate, (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        answered.push(`${name}:${interaction.guild?.name ?? 'DM'}`);
        interaction.reply({ content: name }).catch((error: unknown) => handlerErrors.push(error));
      });
    }
    const inBeta = fake.slashCommand({ user: 'alice', name: 'market', guild: 'Beta', channel: 'markets' });
    const inAlpha = fake.slashCommand({ user: 'mallory', name: 'market', guild: 'Alpha', channel: 'markets' });
    const inDm = fake.slashCommand({ user: 'alice', name: 'market', context: InteractionContextType.BotDM });
    await Promise.all([inBeta, inAlpha, inDm].map((interaction) => fake.waitForCallback(interaction.id)));
    expect(fake.shardsReached(inBeta.id)).toEqual([1]);
    expect(fake.shardsReached(inAlpha.id)).toEqual([0]);
    expect(fake.shardsReached(inDm.id)).toEqual([0]);
    expect(answered.sort()).toEqual(['zero:Alpha', 'zero:DM', 'one:Beta'].sort());
  });

  it('closes a session that identifies as a shard outside its count', async () => {
    const bad = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase }, shards: [2], shardCount: 2 });
    shardClients.push(bad);
    await expect(bad.login(fake.botToken)).rejects.toThrow();
  });
});
