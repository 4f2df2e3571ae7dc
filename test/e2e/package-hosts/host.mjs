// A host bot as its author would write it: plain ESM JavaScript with its own /ping (with autocomplete) and its own
// button, and Crux installed beside them from the package. Run by test/e2e/package.test.ts from a scratch project.
// Typing "stop crux" on stdin stops Crux alone; closing stdin stops the host.
import { createInterface } from 'node:readline';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, Client, Events, GatewayIntentBits } from 'discord.js';
import { installCrux } from 'crux-markets';

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API_BASE } });
const crux = installCrux(client, {
  db: process.env.HOST_CRUX_DATABASE,
  config: { CRUX_MODERATOR_ROLE: process.env.HOST_MODERATOR_ROLE },
  commandPrefix: 'crux-',
  log: (message, context) => console.error(JSON.stringify({ from: 'crux', message, ...context })),
});

const ping = {
  name: 'ping',
  description: 'Is the host alive?',
  options: [{ type: 3, name: 'word', description: 'Something to echo', autocomplete: true }],
};
const again = new ActionRowBuilder().addComponents(new ButtonBuilder().setCustomId('host:again').setLabel('Again').setStyle(ButtonStyle.Primary));

client.on(Events.InteractionCreate, async (interaction) => {
  if (interaction.isChatInputCommand() && interaction.commandName === 'ping') {
    await interaction.reply({ content: `pong from the host ${interaction.options.getString('word') ?? ''}`.trim(), components: [again] });
  } else if (interaction.isAutocomplete() && interaction.commandName === 'ping') {
    await interaction.respond([{ name: 'hello from the host', value: 'hello' }]);
  } else if (interaction.isButton() && interaction.customId === 'host:again') {
    await interaction.update({ content: 'pong again, from the host', components: [] });
  }
});

client.once(Events.ClientReady, async (ready) => {
  await ready.application.commands.set([ping, ...crux.commands], process.env.DISCORD_GUILD_ID);
  console.log('host ready');
});

const input = createInterface({ input: process.stdin });
input.on('line', async (line) => {
  if (line !== 'stop crux') return;
  await crux.stop();
  console.log('crux stopped');
});
input.on('close', () => void client.destroy());

await client.login(process.env.DISCORD_TOKEN);
