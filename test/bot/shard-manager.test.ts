import { afterAll, beforeAll, expect, it } from 'vitest';
import { shardPlan } from '../../bot/shard-manager.ts';
import { loginProblem } from '../../bot/startup.ts';
import { type FakeDiscord, startFakeDiscord } from '../fake-discord/index.ts';
import { runScript } from '../support/process.ts';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord({ shards: 3, maxConcurrency: 4 });
});
afterAll(() => fake.close());

it("runs Discord's recommended shard count for auto, the configured one otherwise, spaced by the identify concurrency", async () => {
  const base = { DISCORD_API_BASE: fake.apiBase };
  expect(await shardPlan({ ...base, CRUX_SHARDS: 'auto' }, fake.botToken)).toEqual({ shards: 3, spawnDelayMs: 1375 });
  expect(await shardPlan({ ...base, CRUX_SHARDS: 2 }, fake.botToken)).toEqual({ shards: 2, spawnDelayMs: 1375 });
});

it('says in one line that Discord refused the token', async () => {
  const refused = await shardPlan({ DISCORD_API_BASE: fake.apiBase, CRUX_SHARDS: 'auto' }, 'not-the-token').then(
    () => 'accepted',
    (error: unknown) => loginProblem(error, fake.apiBase),
  );
  expect(refused).toMatch(/^Discord refused DISCORD_TOKEN \(401 Unauthorized\)/);
});

it('refuses --shard in a process no sharding manager started', async () => {
  const { code, stderr } = await runScript('bot/main.ts', ['--shard'], {
    DISCORD_TOKEN: fake.botToken,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    CRUX_DATABASE: ':memory:',
  });
  expect({ code, stderr }).toEqual({ code: 1, stderr: 'Crux will not start — --shard is for the processes npm start runs itself when CRUX_SHARDS is above 1.\n' });
  expect(fake.gateway.identifyCount).toBe(0);
}, 60_000);
