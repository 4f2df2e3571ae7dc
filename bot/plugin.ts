import { type Client, Events, type RESTPostAPIChatInputApplicationCommandsJSONBody, Routes } from 'discord.js';
import type { Db } from '../db/open.ts';
import { createApp } from './app.ts';
import type { App } from './commands/command.ts';
import { type ConfigInput, loadConfig } from './config.ts';
import { commandNames } from './discord/command-names.ts';
import { createInteractionHandler } from './discord/interactions.ts';
import { NO_MENTIONS } from './discord/payload.ts';
import { takeScheduledBackup } from './backup-job.ts';
import { takeScheduledVerify } from './verify-job.ts';
import { leaveCheckpointsToMaintenance, startMaintenance } from '../db/maintenance.ts';
import { type JobHooks, scheduleJobs } from './jobs.ts';
import { createLogger, type Logger } from './log.ts';
import { DirectMessages } from './discord/dm.ts';
import { MarketCardRedraws, postMarketCard, redrawMarketCard } from './discord/market-message.ts';
import { postAlso, postReply } from './discord/post.ts';
import { MarketThreads } from './discord/threads.ts';
import { replyWith } from './reply.ts';
import type { Market } from '../markets/market.ts';
import { configuredSourceChecker } from './source-checker.ts';
import { openDatabaseFile } from './startup.ts';
import { errorMessage } from '../markets/errors.ts';

export interface CruxPluginOptions {
  /** Crux's settings under the environment's variable names (see Configuration in the README); default: `process.env`. */
  config?: ConfigInput;
  /** A file path, which Crux opens and `stop()` closes, or a handle from `openDatabase`, which stays the caller's. Default: CRUX_DATABASE. */
  db?: Db | string;
  /** Default: one JSON line per event on stderr. */
  log?: Logger;
  /**
   * Whether this install runs the scheduled jobs (closing, source polls, nudges, backups). Run them in one process
   * only: by default, the one whose client holds shard 0 (every unsharded client does).
   */
  jobs?: boolean;
  /** Put before every command name, so `'crux-'` registers `/crux-market`, `/crux-bet`, …; default none. */
  commandPrefix?: string;
  now?: () => number;
}

export interface CruxPlugin {
  app: App;
  /** The database Crux works on: the handle it was given, or the one it opened from a path. */
  db: Db;
  /** The slash commands to register beside the host's, under their prefixed names (see `npm run deploy-commands`). */
  commands: RESTPostAPIChatInputApplicationCommandsJSONBody[];
  /** What the scheduled jobs run with, so an operator (or a test) can run a job now: `pollSources(crux.app, crux.jobHooks)`. */
  jobHooks: JobHooks;
  /** Stops taking interactions and jobs; waits for work in flight. Closes the database only if Crux opened it from a path. */
  stop(): Promise<void>;
}

/**
 * Whether this client connects shard 0: one that does not shard ('auto' is every shard in this process), or a
 * sharded one (a ShardingManager's process, or a host's own `shards` list) whose shards include it. The jobs post over
 * REST, which reaches every server whichever shard carries it, so one process runs them for all.
 */
function holdsFirstShard(client: Client): boolean {
  const { shards } = client.options;
  return shards === undefined || shards === 'auto' || (typeof shards === 'number' ? shards === 0 : shards.includes(0));
}

/**
 * Clients Crux is installed on. A card's buttons and forms are Crux's by their `crux:` prefix, whatever the command
 * prefix, so a second install on the same client would answer them too: one of the two answers, and the other
 * tells the member Discord refused the answer, or that a confirmation expired.
 */
const installedOn = new WeakSet<Client>();

/**
 * Installs Crux into an existing discord.js Client: its interaction handler and, once the client is ready,
 * its scheduled jobs. The standalone bot is exactly this call plus a Client. One install per client: it serves every
 * server the client is in.
 */
export function installCrux(client: Client, options: CruxPluginOptions = {}): CruxPlugin {
  const now = options.now ?? Date.now;
  const config = loadConfig(options.config ?? process.env);
  const names = commandNames(options.commandPrefix);
  if (installedOn.has(client)) {
    throw new Error('Crux is already installed on this client, and one install serves all its servers; stop() it before installing Crux again.');
  }
  const ownsDb = typeof options.db !== 'object';
  const db = typeof options.db === 'object' ? options.db : openDatabaseFile(options.db ?? config.CRUX_DATABASE, config);
  const log = options.log ?? createLogger([config.DISCORD_TOKEN]);
  const app = createApp(config, db, log);
  // Every job writes (closing, proposals, nudges); a database served read-only runs none of them. The process that
  // runs them keeps the database's maintenance process too (one per file); the others leave checkpoints to it.
  const runsJobs = (options.jobs ?? holdsFirstShard(client)) && !db.readonly;
  const inFlight = new Set<Promise<void>>();
  const cards = new MarketCardRedraws(client, app);
  const dms = new DirectMessages(client, app, now);
  const threads = new MarketThreads(client, app, {
    now,
    redraw: (marketId) => cards.redraw(marketId),
    async tellModerators(content, market) {
      const channelId = app.realms.values(market.realm).moderatorChannel ?? market.channelId;
      if (channelId !== null) await postReply(client, market.realm, channelId, replyWith({ content }));
    },
  });
  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const afterReply = (work: Promise<void>) =>
    track(work.catch((error: unknown) => log('could not finish the work after a reply', { error: errorMessage(error) })));
  const handle = createInteractionHandler({ app, client, now, names, cards, threads, dms, afterReply });
  let accepting = true;

  const onInteraction = (interaction: Parameters<typeof handle>[0]) => {
    if (accepting) track(handle(interaction));
  };

  const announceClosed = async (market: Market) => {
    // An announcement tells a channel what a job changed: like a reply, it waits until the change is on disk.
    await app.durable();
    // In quiet channel mode the announcement goes to the market's thread, where there is one.
    const { quietChannel, threadMode } = app.realms.values(market.realm);
    const thread = quietChannel && threadMode ? app.notifications.thread(market.id) : null;
    const channelId = thread ?? market.channelId;
    if (channelId === null) return;
    await client.rest.post(Routes.channelMessages(channelId), {
      body: { content: `🔒 Market \`${market.slug}\` has closed for trading and awaits resolution.`, allowed_mentions: NO_MENTIONS },
    });
    await redrawMarketCard(client, app, market.id);
  };

  const jobHooks: JobHooks = {
    now,
    announceClosed,
    postCard: (marketId, channelId) => postMarketCard(client, app, threads, marketId, channelId),
    redrawMarket: (marketId) => redrawMarketCard(client, app, marketId),
    checkSource: configuredSourceChecker(config, app.linkGuard),
    backUp: () => takeScheduledBackup(db, config, now(), log),
    verifyLedger: () => takeScheduledVerify(db, now(), log, { maintenance }),
    flushThreads: () => threads.flushAll(),
    sendDueDms: () => dms.sendDue(),
    async postToModerators(reply, market) {
      await app.durable();
      // Each server's own moderator channel; the market's channel where the server has none.
      const channelId = app.realms.values(market.realm).moderatorChannel ?? market.channelId;
      // The moderators first: a job whose post failed posts it all again at its next run, and the holders' posts, which
      // only log a failure, would then be repeated every run for as long as the moderators' channel refuses.
      const posted = channelId === null ? undefined : await postReply(client, market.realm, channelId, reply);
      // The conditionals' holders are told in their markets' channels wherever the moderators are.
      await postAlso(client, market.realm, reply, log, channelId);
      for (const marketId of reply.refreshMarkets ?? []) await redrawMarketCard(client, app, marketId);
      return posted;
    },
  };

  // Built now, started once the client is ready: a schedule that cannot run throws here (a ConfigError), before the bot
  // logs in and before the maintenance process is forked.
  const jobs = runsJobs ? scheduleJobs(app, jobHooks) : undefined;
  const maintenance = runsJobs ? startMaintenance(db, (code) => log('the database maintenance process stopped; the bot checkpoints by itself', { code })) : undefined;
  if (!runsJobs) leaveCheckpointsToMaintenance(db);
  const onReady = () => jobs?.start();

  client.on(Events.InteractionCreate, onInteraction);
  installedOn.add(client);
  let stopping: Promise<void> | undefined;
  if (client.isReady()) onReady();
  else client.once(Events.ClientReady, onReady);

  return {
    app,
    db,
    commands: names.definitions(),
    jobHooks,
    stop() {
      // Once: a host's second call (a shutdown hook, say) waits for the first, and never frees the client of a later install.
      stopping ??= (async () => {
        accepting = false;
        client.off(Events.InteractionCreate, onInteraction);
        client.off(Events.ClientReady, onReady);
        await jobs?.stop();
        // A handler still answering hands on its after-reply work as it finishes, so wait until nothing is left.
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        // Before the close, so the connection that closes last is this one, which checkpoints the WAL into the file.
        await maintenance?.stop();
        if (ownsDb) db.close();
        // Only now may another install take the client: until here this one's jobs and work in flight still run.
        installedOn.delete(client);
      })();
      return stopping;
    },
  };
}
