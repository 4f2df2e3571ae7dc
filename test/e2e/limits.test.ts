import { InteractionResponseType, MessageFlags } from 'discord.js';
import type { APIEmbed, APIMessage } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { realmOfGuild } from '../../markets/realms/realm.ts';
import { option } from '../fake-discord/index.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started), { CRUX_RATE_LIMIT_PER_MINUTE: '0' });

/** As long as Crux allows, in characters Discord escapes (so each doubles on the card). */
const longest = (seed: string, length: number) => `${seed} `.padEnd(length, '*_');
const OUTCOMES = Array.from({ length: 20 }, (_, i) => longest(`Outcome ${i + 1}`, 60));
const QUESTION = longest('Will the longest question fit?', 300);
const CRITERIA = longest('Resolves YES if', 2000);
const source = (n: number) => `https://example.org/${String(n).padEnd(470, 'p')}`;

/** Requests Discord refused: with every payload fitted, none should be. */
function refusals() {
  return bot.fake.requests.filter(({ status }) => status >= 400);
}

/** The answer to a deferred command once it has replaced "thinking…". */
function settled(interactionId: string): Promise<APIMessage> {
  return bot.fake
    .waitUntil(() => ((bot.fake.originalResponse(interactionId)?.flags ?? MessageFlags.Loading) & MessageFlags.Loading) === 0, {
      description: 'the deferred reply to be answered',
    })
    .then(() => bot.fake.originalResponse(interactionId) as APIMessage);
}

async function openWorstCaseMarket(): Promise<string> {
  const opened = bot.fake.slashCommand({
    name: 'market',
    subcommand: 'open',
    user: 'moderator',
    channel: 'markets',
    options: [
      option.string('question', QUESTION),
      option.string('criteria', CRITERIA),
      option.string('closes', '2027-12-31'),
      option.string('outcomes', OUTCOMES.join(',')),
    ],
  });
  const callback = await bot.fake.waitForCallback(opened.id);
  expect(callback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
  const embeds = ('data' in callback ? (callback.data as { embeds?: APIEmbed[] }).embeds : undefined) ?? [];
  const marketId = marketKeyOnCard(embeds[0]);
  expect(marketId).not.toBe('');
  // The card is edited once its thread opens: refusals asked for later must not be spent on that edit.
  const cardId = bot.fake.originalResponse(opened.id)?.id ?? '';
  await bot.fake.waitUntil(() => JSON.stringify(bot.fake.message(cardId)?.embeds ?? []).includes('Discussion'), { description: 'the card links to its thread' });
  // Straight to the service: a link a member gives is checked against DNS, which tests never ask.
  const moderator = { userId: bot.userId('moderator'), isModerator: true };
  for (let n = 0; n < 10; n++) {
    const linked = bot.crux.app.service.linkSource(marketId, { url: source(n), kind: 'url' }, { realm: realmOfGuild(bot.fake.guild.id), actor: moderator, now: Date.now() });
    expect(linked.ok).toBe(true);
  }
  return marketId;
}

describe("Discord's limits, end to end", () => {
  it('/market open and /market show answer with the worst-case market, which Discord accepts', async () => {
    const marketId = await openWorstCaseMarket();
    const shown = bot.fake.slashCommand({ name: 'market', subcommand: 'show', user: 'bob', channel: 'markets', options: [option.string('market', marketId)] });
    const card = (await settled(shown.id)).embeds[0];
    const prices = (card?.fields ?? []).filter(({ name }) => name.startsWith('Prices')).flatMap(({ value }) => value.split('\n'));
    expect(prices).toHaveLength(20);
    expect(card?.fields?.find(({ name }) => name === 'Sources')?.value).toMatch(/…and \d+ more$/);
    expect(refusals()).toEqual([]);
  });

  it('the fake Discord refuses a message over the limits with 50035, as Discord does', async () => {
    const channel = bot.fake.guild.channel('markets').id;
    const fields = Array.from({ length: 6 }, (_, i) => ({ name: `field ${i}`, value: 'v'.repeat(1024) }));
    const refused = await bot.client.rest.post(`/channels/${channel}/messages`, { body: { embeds: [{ title: 'too big', fields }] } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: 50035, rawError: { message: 'Invalid Form Body', errors: { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Embed size exceeds maximum size of 6000' }] } } } });
    const options = Array.from({ length: 26 }, (_, i) => ({ label: `o${i}`, value: String(i) }));
    const select = { type: 1, components: [{ type: 3, custom_id: 'crux:x', options }] };
    const tooMany = await bot.client.rest.post(`/channels/${channel}/messages`, { body: { content: 'pick', components: [select] } }).catch((error: unknown) => error);
    expect(tooMany).toMatchObject({ status: 400, code: 50035, rawError: { errors: { components: { 0: { components: { 0: { options: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } } } } });
  });

  it('whatever Discord refuses, the member gets a plain answer instead of "thinking…" or "interaction failed"', async () => {
    const marketId = await openWorstCaseMarket();
    bot.fake.refuseNextMessages(1);
    const shown = bot.fake.slashCommand({ name: 'market', subcommand: 'show', user: 'bob', channel: 'markets', options: [option.string('market', marketId)] });
    // A deferred command's public "thinking…" goes, and only the member sees why.
    await bot.fake.waitUntil(() => bot.fake.followUps(shown.id).length > 0, { description: 'the private note follows' });
    expect(bot.fake.followUps(shown.id)).toMatchObject([{ flags: MessageFlags.Ephemeral, content: expect.stringMatching(/^⚠️ Discord refused to show Crux's answer/) }]);
    expect(bot.fake.originalResponse(shown.id)).toBeUndefined();

    bot.fake.refuseNextMessages(1);
    const bet = bot.fake.slashCommand({ name: 'bet', user: 'bob', channel: 'markets', options: [option.string('market', marketId), option.string('outcome', OUTCOMES[3] ?? ''), option.integer('amount', 10)] });
    const answer = await bot.fake.waitForCallback(bet.id);
    expect(answer).toMatchObject({ type: InteractionResponseType.ChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral, content: expect.stringMatching(/^⚠️ Discord refused/) } });
    expect(bot.logs.filter((line) => line.includes('could not answer an interaction'))).toHaveLength(2);
  });
});
