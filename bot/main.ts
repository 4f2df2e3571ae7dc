import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'discord.js';
import { openDatabase, type Db } from '../db/open.ts';
import { createApp } from './app.ts';
import { runConsole } from './console.ts';
import { createLogger, type Logger } from './log.ts';
import { installCrux } from './plugin.ts';
import { shardPlan, startShards } from './shard-manager.ts';
import {
  loadClaims,
  loginProblem,
  openDatabaseFile,
  openServedDatabase,
  refuseToStart,
} from './startup.ts';
import { configFromEnvironment, orConfigError } from './environment.ts';
import { cruxClientOptions } from './discord/client-options.ts';
import { errorMessage } from '../markets/errors.ts';

const { values: args } = parseArgs({
  options: {
    'load-claims': { type: 'string' },
    console: { type: 'boolean', default: false },
    'read-only': { type: 'boolean', default: false },
    /* Set by the sharding manager on the processes it starts (see bot/shard-manager.ts), never by hand. */
    shard: { type: 'boolean', default: false },
  },
});

const config = configFromEnvironment();
const log = createLogger([config.DISCORD_TOKEN]);
const say = (text: string) => process.stdout.write(`${text}\n`);
const readOnly = args['read-only'];

process.on('unhandledRejection', (reason) => log('unhandled rejection', { error: String(reason) }));

/** The claims named by --load-claims, once: by the single process, or by the manager before any shard starts. */
function loadClaimsIfAsked(db: Db): void {
  if (args['load-claims'] !== undefined) say(loadClaims(createApp(config, db, log), args['load-claims'], config.DISCORD_GUILD_ID ?? null, Date.now()));
}

/**
 * A shard opens the file its manager has already checked, verified and migrated: the N shards neither repeat that
 * work nor race each other to migrate.
 */
function openShardDatabase(): Db {
  return readOnly ? openDatabase(config.CRUX_DATABASE, { readonly: true, allowNewerSchema: true }) : openDatabaseFile(config.CRUX_DATABASE, config);
}

/**
 * CRUX_SHARDS above 1 (or auto): this process checks the database once, then runs one process per shard on it and
 * starts again any that dies. It holds no database connection and no gateway connection of its own.
 */
async function manageShards(token: string): Promise<void> {
  const db = openServedDatabase(config, readOnly, say);
  loadClaimsIfAsked(db);
  db.close();
  const plan = await shardPlan(config, token).catch((error: unknown) => refuseToStart(loginProblem(error, config.DISCORD_API_BASE)));
  const shards = await startShards({
    entry: fileURLToPath(import.meta.url),
    token,
    plan,
    shardArgs: ['--shard', ...(readOnly ? ['--read-only'] : [])],
    log,
    say,
  }).catch((error: unknown) => refuseToStart(`a shard did not connect (${errorMessage(error)}); its own lines above say why.`));
  const shutdown = async (signal: string) => {
    say(`${signal}: each shard finishes its interactions in flight, then all stop.`);
    await shards.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** One gateway connection in this process: the whole bot, or (with --shard) the shard its manager started it as. */
async function serveDiscord(token: string): Promise<void> {
  const client = new Client(cruxClientOptions(config.DISCORD_API_BASE));
  const shard = client.shard;
  if (args.shard && shard === null) refuseToStart('--shard is for the processes npm start runs itself when CRUX_SHARDS is above 1.');
  // Every line a shard logs says which shard it is, since they share one stderr.
  const shardLog: Logger = shard === null || !args.shard ? log : (message, context) => log(message, { shard: shard.ids[0], ...context });
  const db = args.shard ? openShardDatabase() : openServedDatabase(config, readOnly, say);
  if (!args.shard) loadClaimsIfAsked(db);
  const crux = orConfigError(() => installCrux(client, { config, db, log: shardLog }));
  client.once('clientReady', (ready) =>
    say(
      shard === null || !args.shard
        ? `Crux is connected to Discord as ${ready.user.tag}.`
        : `Shard ${shard.ids.join(', ')} of ${shard.count} (process ${process.pid}) is connected to Discord as ${ready.user.tag}.`,
    ),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    // SIGINT then SIGTERM (an impatient supervisor) must not close things twice.
    if (stopping) return;
    stopping = true;
    say(`${signal}: finishing interactions in flight, then stopping.`);
    try {
      await crux.stop();
      await client.destroy();
      db.close();
      process.exit(0);
    } catch (error) {
      shardLog('could not stop cleanly', { error: errorMessage(error) });
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // A shard never outlives its manager: killed outright, it leaves no way to stop the shards but this.
  if (args.shard) process.once('disconnect', () => void shutdown('the sharding manager is gone'));
  try {
    await client.login(token);
  } catch (error) {
    await crux.stop();
    await client.destroy();
    db.close();
    refuseToStart(loginProblem(error, config.DISCORD_API_BASE));
  }
}

async function serveConsole(): Promise<void> {
  const db = openServedDatabase(config, readOnly, say);
  loadClaimsIfAsked(db);
  const app = createApp(config, db, log);
  say(
    `Crux local console on ${config.CRUX_DATABASE}. To connect to Discord, set DISCORD_TOKEN and DISCORD_APPLICATION_ID (see .env.example), run npm run deploy-commands once, then npm start.`,
  );
  // A signal stops reading input; the line in hand is answered, then the database closes as at end of input.
  const stopping = new AbortController();
  process.once('SIGINT', () => stopping.abort());
  process.once('SIGTERM', () => stopping.abort());
  await runConsole({ input: process.stdin, output: process.stdout, app, signal: stopping.signal });
  db.close();
  if (stopping.signal.aborted) process.exit(0);
}

const token = args.console ? undefined : config.DISCORD_TOKEN;
if (token === undefined) await serveConsole();
else if (!args.shard && config.CRUX_SHARDS !== 1) await manageShards(token);
else await serveDiscord(token);
