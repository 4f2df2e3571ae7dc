import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { startCruxOnFakeDiscord } from '../support/discord.ts';

/** Longer than undici's own keep-alive (4 s), which the bot's REST agent replaces with Discord's idle allowance. */
const QUIET_MS = 5_000;

it('keeps its connection to Discord through a quiet moment: the reply after five idle seconds opens none', async () => {
  const bot = await startCruxOnFakeDiscord();
  try {
    const portfolio = () => bot.fake.waitForCallback(bot.fake.slashCommand({ name: 'portfolio', user: 'bob', channel: 'markets' }).id);
    await portfolio();
    const opened = bot.fake.connectionsOpened;
    expect(opened).toBeGreaterThan(0);
    await sleep(QUIET_MS);
    await portfolio();
    expect(bot.fake.connectionsOpened).toBe(opened);
  } finally {
    await bot.close();
  }
}, 20_000);
