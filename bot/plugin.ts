import { type Client, Events, type RESTPostAPIChatInputApplicationCommandsJSONBody, Routes } from 'discord.js';
import type { Db } from '../db/open.ts';
import { createApp } from './app.ts';
import type { App } from './commands/command.ts';
import { commandDefinitions } from './commands/index.ts';
import type { Config } from './config.ts';
import { createInteractionHandler } from './discord/interactions.ts';
import { NO_MENTIONS } from './discord/payload.ts';
import { takeScheduledBackup } from './backup-job.ts';
import { type JobHooks, type Jobs, startJobs } from './jobs.ts';
import { createLogger, type Logger } from './log.ts';
import { redrawMarketCard } from './discord/market-message.ts';
import { postReply } from './discord/post.ts';
import { configuredSourceChecker } from './source-checker.ts';

export interface CruxPluginOptions {
  config: Config;
  db: Db;
  log?: Logger;
  now?: () => number;
}

export interface CruxPlugin {
  app: App;
  /** The slash commands to register (see `npm run deploy-commands`). */
  commands: RESTPostAPIChatInputApplicationCommandsJSONBody[];
  /** What the scheduled jobs run with, so an operator (or a test) can run a job now: `pollSources(crux.app, crux.jobHooks)`. */
  jobHooks: JobHooks;
  /** Stops taking interactions and jobs; waits for work in flight. The database stays open: it is the caller's. */
  stop(): Promise<void>;
}

/**
 * Installs Crux into an existing discord.js Client: its interaction handler and, once the client is ready,
 * its scheduled jobs. The standalone bot is exactly this call plus a Client.
 */
export function installCrux(client: Client, options: CruxPluginOptions): CruxPlugin {
  const now = options.now ?? Date.now;
  const log = options.log ?? createLogger([options.config.DISCORD_TOKEN]);
  const app = createApp(options.config, options.db, log);
  const inFlight = new Set<Promise<void>>();
  const handle = createInteractionHandler({ app, client, now });
  let accepting = true;
  let jobs: Jobs | undefined;

  const onInteraction = (interaction: Parameters<typeof handle>[0]) => {
    if (!accepting) return;
    const work = handle(interaction).finally(() => inFlight.delete(work));
    inFlight.add(work);
  };

  const announceClosed = async (market: { id: string; slug: string; channelId: string | null }) => {
    if (market.channelId === null) return;
    await client.rest.post(Routes.channelMessages(market.channelId), {
      body: { content: `🔒 Market \`${market.slug}\` has closed for trading and awaits resolution.`, allowed_mentions: NO_MENTIONS },
    });
    await redrawMarketCard(client, app, market.id);
  };

  const jobHooks: JobHooks = {
    now,
    announceClosed,
    checkSource: configuredSourceChecker(options.config),
    backUp: () => takeScheduledBackup(options.db, options.config, now(), log),
    async postToModerators(reply, market) {
      // Each server's own moderator channel; the market's channel where the server has none.
      const channelId = app.realms.values(market.realm).moderatorChannel ?? market.channelId;
      if (channelId === null) return undefined;
      const posted = await postReply(client, channelId, reply);
      for (const marketId of reply.refreshMarkets ?? []) await redrawMarketCard(client, app, marketId);
      return posted;
    },
  };

  const onReady = () => {
    // Every job writes (closing, proposals, nudges); a database served read-only runs none of them.
    if (!options.db.readonly) jobs ??= startJobs(app, jobHooks);
  };

  client.on(Events.InteractionCreate, onInteraction);
  if (client.isReady()) onReady();
  else client.once(Events.ClientReady, onReady);

  return {
    app,
    commands: commandDefinitions(),
    jobHooks,
    async stop() {
      accepting = false;
      client.off(Events.InteractionCreate, onInteraction);
      client.off(Events.ClientReady, onReady);
      await jobs?.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
