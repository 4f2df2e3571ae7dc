import { afterAll, beforeAll, expect, it } from 'vitest';
import { shardPlan } from '../../bot/shard-manager.ts';
import { loginProblem } from '../../bot/startup.ts';
import { type FakeDiscord, startFakeDiscord } from '../fake-discord/index.ts';

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
