// A CommonJS host: Crux is ESM-only, so it is loaded with the one line a CommonJS bot uses, `await import(...)`.
// It also opens the starter claims shipped in the package. Run by test/e2e/package.test.ts from a scratch project;
// closing stdin stops it.
const { Client, Events, GatewayIntentBits } = require('discord.js');

async function main() {
  const { installCrux, loadClaims } = await import('crux-markets');
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_BASE } });
  const crux = installCrux(client, { db: process.env.HOST_CRUX_DATABASE, config: {}, commandPrefix: 'crux-' });
  const starter = require.resolve('crux-markets/claims/starter.json');
  console.log(loadClaims(crux.app, starter, process.env.DISCORD_GUILD_ID, Date.now()));
  client.once(Events.ClientReady, async (ready) => {
    await ready.application.commands.set(crux.commands, process.env.DISCORD_GUILD_ID);
    console.log('host ready');
  });
  process.stdin.on('end', () => void crux.stop().then(() => client.destroy()));
  process.stdin.resume();
  await client.login(process.env.DISCORD_TOKEN);
}

main();
