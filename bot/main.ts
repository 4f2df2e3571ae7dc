import { parseArgs } from 'node:util';
import { Client, GatewayIntentBits } from 'discord.js';
import { createApp } from './app.ts';
import { runConsole } from './console.ts';
import { createLogger } from './log.ts';
import { installCrux } from './plugin.ts';
import { configFromEnvironment, loadClaims, openConfiguredDatabase } from './startup.ts';
import { NO_MENTIONS } from './discord/payload.ts';

const { values: args } = parseArgs({
  options: {
    'load-claims': { type: 'string' },
    console: { type: 'boolean', default: false },
  },
});

const config = configFromEnvironment();
const log = createLogger([config.DISCORD_TOKEN]);
const db = openConfiguredDatabase(config);
const app = createApp(config, db, log);
const say = (text: string) => process.stdout.write(`${text}\n`);

if (args['load-claims'] !== undefined) say(loadClaims(app, args['load-claims'], config.DISCORD_GUILD_ID ?? null, Date.now()));

process.on('unhandledRejection', (reason) => log('unhandled rejection', { error: String(reason) }));

if (config.DISCORD_TOKEN !== undefined && !args.console) {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.DISCORD_API_BASE },
    allowedMentions: NO_MENTIONS,
  });
  const crux = installCrux(client, { config, db, log });
  client.once('clientReady', (ready) => say(`Crux is connected to Discord as ${ready.user.tag}.`));
  const shutdown = async (signal: string) => {
    say(`${signal}: finishing interactions in flight, then stopping.`);
    await crux.stop();
    await client.destroy();
    db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await client.login(config.DISCORD_TOKEN);
} else {
  say(
    `Crux local console on ${config.CRUX_DATABASE}. To connect to Discord, set DISCORD_TOKEN and DISCORD_APPLICATION_ID (see .env.example), run npm run deploy-commands once, then npm start.`,
  );
  const stop = () => {
    db.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await runConsole({ input: process.stdin, output: process.stdout, app });
  db.close();
}
