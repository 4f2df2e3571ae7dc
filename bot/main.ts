import { parseArgs } from 'node:util';
import { Client, GatewayIntentBits } from 'discord.js';
import { createApp } from './app.ts';
import { runConsole } from './console.ts';
import { createLogger } from './log.ts';
import { installCrux } from './plugin.ts';
import { configFromEnvironment, loadClaims, loginProblem, openServedDatabase, orConfigError, refuseToStart } from './startup.ts';
import { NO_MENTIONS } from './discord/payload.ts';

const { values: args } = parseArgs({
  options: {
    'load-claims': { type: 'string' },
    console: { type: 'boolean', default: false },
    'read-only': { type: 'boolean', default: false },
  },
});

const config = configFromEnvironment();
const log = createLogger([config.DISCORD_TOKEN]);
const say = (text: string) => process.stdout.write(`${text}\n`);
const db = openServedDatabase(config, args['read-only'], say);
const app = createApp(config, db, log);

if (args['load-claims'] !== undefined) say(loadClaims(app, args['load-claims'], config.DISCORD_GUILD_ID ?? null, Date.now()));

process.on('unhandledRejection', (reason) => log('unhandled rejection', { error: String(reason) }));

if (config.DISCORD_TOKEN !== undefined && !args.console) {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.DISCORD_API_BASE },
    allowedMentions: NO_MENTIONS,
  });
  const crux = orConfigError(() => installCrux(client, { config, db, log }));
  client.once('clientReady', (ready) => say(`Crux is connected to Discord as ${ready.user.tag}.`));
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
      log('could not stop cleanly', { error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await client.login(config.DISCORD_TOKEN);
  } catch (error) {
    await crux.stop();
    await client.destroy();
    db.close();
    refuseToStart(loginProblem(error, config.DISCORD_API_BASE));
  }
} else {
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
