import { InteractionResponseType } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { option } from '../fake-discord/index.ts';
import { startCruxOnFakeDiscord, type CruxOnFakeDiscord } from '../support/discord.ts';
import { betThroughDiscord, messageOf, openTestMarket, requestsAppliedTwice, sleep, timesApplied } from './trading.ts';

const RECONNECT = { timeoutMs: 10_000 };

let bot: CruxOnFakeDiscord;
let marketId: string;
beforeEach(async () => {
  bot = await startCruxOnFakeDiscord({ CRUX_RATE_LIMIT_PER_MINUTE: '0' });
  marketId = openTestMarket(bot.crux.app.service, 'gateway-faults', bot.fake.guild.id);
});
afterEach(async () => {
  expect(requestsAppliedTwice(bot.db)).toEqual([]);
  await bot.close();
  expect(bot.logs.filter((line) => line.includes('unexpected'))).toEqual([]);
});

/** How many times Crux tried to answer an interaction: a duplicate delivery must not even try twice. */
function callbackAttempts(interactionId: string): number {
  return bot.fake.requests.filter((request) => request.path.startsWith(`/interactions/${interactionId}/`)).length;
}

/** Bets and waits for the answer: proof that the bot is connected and serving. */
async function betAndConfirm(user: string, amount: number) {
  const interaction = betThroughDiscord(bot.fake, user, marketId, amount);
  const callback = await bot.fake.waitForCallback(interaction.id, RECONNECT);
  expect(messageOf(callback).embeds?.[0]?.title).toMatch(new RegExp(`^${user} bought`));
  expect(timesApplied(bot.db, interaction.id)).toBe(1);
  return interaction;
}

describe('gateway faults with Crux installed', () => {
  it('resumes after the socket drops; a bet dispatched during the outage is replayed on resume and applied once', async () => {
    await betAndConfirm('alice', 10);
    const { gateway } = bot.fake;
    gateway.dropConnections();
    const during = betThroughDiscord(bot.fake, 'bob', marketId, 20);
    await bot.fake.waitForCallback(during.id, RECONNECT);
    expect(gateway.resumeCount).toBe(1);
    expect(gateway.identifyCount).toBe(1);
    expect(timesApplied(bot.db, during.id)).toBe(1);

    // Discord may deliver it yet again: still once.
    bot.fake.redeliver(during);
    await bot.fake.waitUntil(() => bot.fake.deliveries(during.id) === 2);
    await sleep(200);
    expect(timesApplied(bot.db, during.id)).toBe(1);
    expect(callbackAttempts(during.id)).toBe(1);
    await betAndConfirm('carol', 5);
  });

  it('declares a connection whose heartbeats go unacknowledged dead, resumes, and goes on', async () => {
    await betAndConfirm('alice', 10);
    const { gateway } = bot.fake;
    gateway.stopHeartbeatAcks();
    await bot.fake.waitUntil(() => gateway.resumeCount > 0, RECONNECT);
    gateway.resumeHeartbeatAcks();
    await betAndConfirm('bob', 10);
    expect(gateway.identifyCount).toBe(1);
  });

  it('identifies afresh when a RESUME is refused, and goes on without applying anything twice', async () => {
    const first = await betAndConfirm('alice', 10);
    const { gateway } = bot.fake;
    gateway.refuseNextResume();
    gateway.dropConnections();
    await bot.fake.waitUntil(() => gateway.identifyCount === 2, RECONNECT);
    expect(gateway.resumeCount).toBe(1);
    await betAndConfirm('bob', 10);
    // A new session does not replay the old one; a duplicate of an old interaction is still dropped.
    bot.fake.redeliver(first);
    await sleep(200);
    expect(timesApplied(bot.db, first.id)).toBe(1);
    expect(callbackAttempts(first.id)).toBe(1);
    expect(bot.ledgerCount('buy')).toBe(2);
  });
});

describe('stopping the plugin', () => {
  it('finishes an interaction in flight, then answers no new ones', async () => {
    await betAndConfirm('alice', 10);
    const show = bot.fake.slashCommand({ name: 'market', subcommand: 'show', user: 'bob', channel: 'markets', options: [option.string('market', marketId)] });
    // The card's chart is drawn after the deferral: stop while that is in flight.
    await bot.fake.waitUntil(() => bot.fake.callback(show.id)?.type === InteractionResponseType.DeferredChannelMessageWithSource);
    await bot.crux.stop();
    expect(bot.fake.originalResponse(show.id)?.embeds[0]?.title).toBe(`Will ${marketId} hold up under load?`);
    const late = betThroughDiscord(bot.fake, 'carol', marketId, 10);
    await sleep(300);
    expect(bot.fake.callback(late.id)).toBeUndefined();
    expect(timesApplied(bot.db, late.id)).toBe(0);
  });
});
