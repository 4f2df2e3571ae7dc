import { MANIFOLD_SLUG } from '../sources/fixtures.ts';
import { type Route, startServer, type TestServer } from '../sources/server.ts';
import { once } from 'node:events';
import { type APIMessage, Client, Events } from 'discord.js';
import { afterEach, beforeEach, expect } from 'vitest';
import { GroupCommit } from '../../db/group-commit.ts';
import type { Db } from '../../db/open.ts';
import { openDatabaseFile } from '../../bot/startup.ts';
import { verify } from '../../db/verify.ts';
import { loadConfig } from '../../bot/config.ts';
import { cruxClientOptions } from '../../bot/discord/client-options.ts';
import { installCrux, type CruxPlugin } from '../../bot/plugin.ts';
import { PermissionFlagsBits } from 'discord.js';
import { MARKET_MOD_ROLE, option, startFakeDiscord, type FakeDiscord, type FakeInteraction, type GuildSpec } from '../fake-discord/index.ts';

/** A guild where the Market Mod role grants no permission: only Crux's role setting makes its members moderators. */
export const CRUX_GUILD: GuildSpec = {
  textChannels: ['general', 'markets'],
  roles: [{ name: MARKET_MOD_ROLE, permissions: 0n }, { name: 'Admins', permissions: PermissionFlagsBits.ManageGuild }],
  members: [
    { username: 'owner' },
    { username: 'moderator', roles: [MARKET_MOD_ROLE] },
    { username: 'admin', roles: ['Admins'] },
    { username: 'alice' },
    { username: 'bob' },
    { username: 'carol' },
  ],
  ownerUsername: 'owner',
};

export interface CruxOnFakeDiscord {
  fake: FakeDiscord;
  client: Client;
  crux: CruxPlugin;
  db: Db;
  logs: string[];
  userId(username: string): string;
  /** A member's balance in a server (the first server when not named). */
  balance(username: string, guildName?: string): number;
  ledgerCount(reason?: string): number;
  /**
   * Presses Confirm on the confirmation a command answered with (resolve, cancel), as `user`, and returns the public
   * message the confirmed command posted.
   */
  confirm(command: FakeInteraction, user: string): Promise<APIMessage>;
  /** Stops Crux and its client as a shutdown does, then starts both again on the same database and fake Discord. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The real discord.js Client with Crux installed, logged in to a fake Discord on 127.0.0.1. */
export async function startCruxOnFakeDiscord(
  env: Record<string, string> = {},
  guild: GuildSpec | GuildSpec[] = CRUX_GUILD,
  {
    now,
    syncWal,
  }: {
    /** Crux's clock (`installCrux`'s `now`), for a test that moves time on; the real one by default. */
    now?: () => number;
    /** For a database file (CRUX_DATABASE): how group commit syncs its WAL, for a test that holds syncs by hand. */
    syncWal?: (path: string) => Promise<void>;
  } = {},
): Promise<CruxOnFakeDiscord> {
  const fake = await startFakeDiscord({ ...(Array.isArray(guild) ? { guilds: guild } : { guild }), heartbeatIntervalMs: 1_000 });
  const config = loadConfig({
    DISCORD_TOKEN: fake.botToken,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    CRUX_DATABASE: ':memory:',
    CRUX_MODERATOR_ROLE: MARKET_MOD_ROLE,
    // Settlements pay at once unless a test sets a window: most tests are about what happens after the money moves.
    CRUX_DISPUTE_WINDOW_HOURS: '0',
    // Each card and thread updated after every trade, so a test sees each one without waiting out the spacing.
    CRUX_CARD_REFRESH_SECONDS: '0',
    ...env,
  });
  // In memory unless a test names a file (the benchmarks do, to pay for durable commits as production does), opened as `npm start` opens it.
  const db = openDatabaseFile(config.CRUX_DATABASE, config);
  if (syncWal) GroupCommit.attach(db, syncWal);
  const logs: string[] = [];
  const connect = async () => {
    const client = new Client({
      ...cruxClientOptions(fake.apiBase),
      // discord.js waits 5 s before identifying again after a refused RESUME; the fake allows it at once.
      ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) },
    });
    const crux = installCrux(client, { config, db, log: (message, context) => logs.push(JSON.stringify({ message, ...context })), ...(now ? { now } : {}) });
    const ready = once(client, Events.ClientReady);
    await client.login(fake.botToken);
    await ready;
    return { client, crux };
  };
  let running = await connect();
  const userId = (username: string) => fake.guild.member(username).user.id;
  const bot: CruxOnFakeDiscord = {
    fake,
    client: running.client,
    crux: running.crux,
    db,
    logs,
    userId,
    balance: (username, guildName) => {
      const realm = guildName === undefined ? fake.guild.id : fake.guildByName(guildName).id;
      const row = db.prepare('SELECT balance FROM accounts WHERE id = ?').get(`user:${realm}:${fake.user(username).id}`) as { balance: number } | undefined;
      return row?.balance ?? 0;
    },
    ledgerCount: (reason) =>
      (reason === undefined
        ? (db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number })
        : (db.prepare('SELECT COUNT(*) AS n FROM ledger WHERE reason = ?').get(reason) as { n: number })
      ).n,
    async confirm(command, user) {
      const asked = await fake.waitForCallback(command.id);
      const row = 'data' in asked && asked.data && 'components' in asked.data ? asked.data.components?.[0] : undefined;
      const button = row && 'components' in row ? row.components[0] : undefined;
      if (!button || !('custom_id' in button) || !button.custom_id.startsWith('crux:confirm:')) {
        throw new Error(`expected a confirmation, got ${JSON.stringify(asked)}`);
      }
      const press = fake.buttonPress({ customId: button.custom_id, user, channel: command.channel_id, messageId: fake.originalResponse(command.id)?.id ?? '' });
      await fake.waitUntil(() => fake.followUps(press.id).length === 1, { description: 'the confirmed command posts its result' });
      const [posted] = fake.followUps(press.id);
      if (!posted) throw new Error('no follow-up after Confirm');
      return posted;
    },
    async restart() {
      await running.crux.stop();
      await running.client.destroy();
      running = await connect();
      bot.client = running.client;
      bot.crux = running.crux;
    },
    async close() {
      await running.crux.stop();
      await running.client.destroy();
      await fake.close();
      const report = verify(db);
      db.close();
      if (!report.ok) throw new Error(`ledger does not verify:\n${report.problems.join('\n')}`);
    },
  };
  return bot;
}

/**
 * Starts Crux on a fresh fake Discord before each test and hands it to `use`; after each test, closes it (which
 * verifies the ledger) and checks that the bot called no route the fake lacks and logged nothing unexpected.
 */
export function cruxOnFakeDiscordPerTest(
  use: (bot: CruxOnFakeDiscord) => void,
  env: Record<string, string> | (() => Record<string, string>) = {},
  guild: GuildSpec | GuildSpec[] = CRUX_GUILD,
): void {
  let current: CruxOnFakeDiscord | undefined;
  beforeEach(async () => {
    current = await startCruxOnFakeDiscord(typeof env === 'function' ? env() : env, guild);
    use(current);
  });
  afterEach(async () => {
    if (!current) return;
    const bot = current;
    current = undefined;
    await bot.close();
    expect(bot.fake.unhandledRequests).toEqual([]);
    expect(bot.logs.filter((line) => line.includes('unexpected'))).toEqual([]);
  });
}

/** The Manifold market `cruxBesideManifoldPerTest`'s server answers for (test/sources/fixtures.ts). */
export const MANIFOLD_LINK = `https://manifold.markets/Austin/${MANIFOLD_SLUG}`;

/** Alice opens, through Discord, a market with that Manifold market as its source. */
export function openManifoldLinkedMarket(bot: CruxOnFakeDiscord): FakeInteraction {
  return bot.fake.slashCommand({
    name: 'market',
    subcommand: 'open',
    user: 'alice',
    channel: 'markets',
    options: [
      option.string('question', 'Will debate-based oversight beat RLHF by 2026?'),
      option.string('criteria', 'As Manifold resolves it.'),
      option.string('closes', '2027-06-30'),
      option.string('source', MANIFOLD_LINK),
    ],
  });
}

/** A schedule that never fires during a test: the test runs the jobs itself. */
export const NEVER = '0 0 1 1 *';

/**
 * Crux on a fake Discord beside a local server speaking Manifold's API (answering `routes`), before each test; both
 * are closed after it, with the same checks as `cruxOnFakeDiscordPerTest`. The jobs run only when a test runs them.
 */
export function cruxBesideManifoldPerTest(routes: Record<string, Route>, use: (bot: CruxOnFakeDiscord, manifold: TestServer) => void): void {
  let manifold: TestServer | undefined;
  beforeEach(async () => {
    manifold = await startServer(routes);
  });
  cruxOnFakeDiscordPerTest(
    (bot) => use(bot, manifold!),
    () => ({ CRUX_MANIFOLD_API_BASE: manifold!.baseUrl, CRUX_SOURCE_TIMEOUT_MS: '2000', CRUX_SOURCE_POLL_CRON: NEVER, CRUX_NUDGE_CRON: NEVER }),
  );
  afterEach(async () => {
    await manifold?.close();
    manifold = undefined;
  });
}
