import { REST, Routes } from 'discord.js';
import { commandDefinitions } from './commands/index.ts';
import { configFromEnvironment } from './environment.ts';

/** Registers Crux's slash commands: in one guild if DISCORD_GUILD_ID is set (instant), else globally. */
const config = configFromEnvironment();
if (config.DISCORD_TOKEN === undefined || config.DISCORD_APPLICATION_ID === undefined) {
  process.stderr.write('deploy-commands needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (see .env.example).\n');
  process.exit(1);
}
const rest = new REST({ api: config.DISCORD_API_BASE }).setToken(config.DISCORD_TOKEN);
const body = commandDefinitions();
const route =
  config.DISCORD_GUILD_ID === undefined
    ? Routes.applicationCommands(config.DISCORD_APPLICATION_ID)
    : Routes.applicationGuildCommands(config.DISCORD_APPLICATION_ID, config.DISCORD_GUILD_ID);
await rest.put(route, { body });
process.stdout.write(
  `Registered ${body.length} commands ${config.DISCORD_GUILD_ID === undefined ? 'globally (may take up to an hour to appear)' : `in guild ${config.DISCORD_GUILD_ID}`}.\n`,
);
