import { afterEach, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fake-discord/index.ts';
import { runScript } from '../support/process.ts';

let fake: FakeDiscord;
afterEach(async () => {
  await fake.close();
});

function deploy(env: Record<string, string>) {
  return runScript('bot/deploy-commands.ts', [], env);
}

it('npm run deploy-commands registers the commands in the configured guild, then globally', async () => {
  fake = await startFakeDiscord();
  const env = { DISCORD_TOKEN: fake.botToken, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase };
  const inGuild = await deploy({ ...env, DISCORD_GUILD_ID: fake.guild.id });
  expect(inGuild).toMatchObject({ code: 0, stderr: '' });
  expect(inGuild.stdout).toContain(`Registered 11 commands in guild ${fake.guild.id}`);
  expect(fake.registeredCommands(fake.guild.id).map((c) => c.name)).toEqual(['market', 'mod', 'bet', 'sell', 'portfolio', 'leaderboard', 'forecast', 'calibration', 'crux', 'evidence', 'notify']);
  const global = await deploy(env);
  expect(global.code).toBe(0);
  expect(fake.registeredCommands().map((c) => c.name)).toContain('bet');
  expect(fake.unhandledRequests).toEqual([]);
});
