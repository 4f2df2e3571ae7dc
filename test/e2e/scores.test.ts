import { InteractionResponseType, MessageFlags } from 'discord.js';
import type { APIEmbed } from 'discord.js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { option, type RecordedRequest } from '../fake-discord/index.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';

let bot: CruxOnFakeDiscord;
// One resolved market is enough to appear on a score board here.
cruxOnFakeDiscordPerTest((started) => (bot = started), { CRUX_LEADERBOARD_MIN_MARKETS: '1' });

type Option = ReturnType<typeof option.string>;

function slash(user: string, name: string, subcommand: string | undefined, options: Option[]) {
  return bot.fake.slashCommand({ name, ...(subcommand ? { subcommand } : {}), user, channel: 'markets', options });
}

/** A deferred command: the callback says "thinking", then the answer arrives as an edit of @original. */
async function deferred(user: string, name: string, subcommand: string | undefined, options: Option[]) {
  const interaction = slash(user, name, subcommand, options);
  const callback = await bot.fake.waitForCallback(interaction.id);
  expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  const edit: RecordedRequest = await bot.fake.waitForRequest(
    ({ method, path }) => method === 'PATCH' && path === `/webhooks/${bot.fake.applicationId}/${interaction.token}/messages/@original`,
  );
  const body = edit.body as { embeds?: APIEmbed[] };
  return { interaction, edit, embeds: body.embeds ?? [], files: edit.files };
}

/** A market with a history, resolved Yes: bob bought Yes, carol stated 30% without betting. */
async function resolvedMarket(): Promise<string> {
  const opened = slash('alice', 'market', 'open', [
    option.string('question', 'Will a replication of the ROME result be published by 2027?'),
    option.string('criteria', 'YES if an independent team publishes a replication before 2028.'),
    option.string('closes', '2027-12-31'),
    option.number('probability', 40),
  ]);
  const openCallback = await bot.fake.waitForCallback(opened.id);
  const data = 'data' in openCallback ? (openCallback.data as { embeds?: APIEmbed[] } | undefined) : undefined;
  const marketId = marketKeyOnCard(data?.embeds?.[0]);
  await bot.fake.waitForCallback(slash('bob', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 100)]).id);
  const stated = slash('carol', 'forecast', undefined, [option.string('market', marketId), option.number('probability', 30)]);
  const statedCallback = await bot.fake.waitForCallback(stated.id);
  expect(statedCallback).toMatchObject({ type: InteractionResponseType.ChannelMessageWithSource, data: { embeds: [{ title: 'carol forecasts 30.0% Yes' }] } });
  await bot.confirm(slash('moderator', 'mod', 'resolve', [option.string('market', marketId), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org')]), 'moderator');
  return marketId;
}

describe('scores and charts in chat, end to end', () => {
  it('/calibration defers, then posts the calibration chart as a PNG attachment shown in the card', async () => {
    await resolvedMarket();
    const { interaction, embeds, files } = await deferred('bob', 'calibration', undefined, []);
    const fileName = `calibration-${bot.userId('bob')}.png`;
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: fileName, contentType: 'image/png' });
    const png = PNG.sync.read(files[0]!.bytes);
    expect([png.width, png.height]).toEqual([800, 600]);
    expect(embeds[0]).toMatchObject({ title: 'Calibration of bob', image: { url: `attachment://${fileName}` } });
    expect(embeds[0]?.fields?.find((field) => field.name === 'Markets scored')?.value).toBe('1');

    const posted = bot.fake.originalResponse(interaction.id);
    expect((posted?.flags ?? 0) & MessageFlags.Ephemeral).toBe(0);
    const [attachment] = posted?.attachments ?? [];
    expect(attachment && bot.fake.attachmentBytes(attachment)).toEqual(files[0]!.bytes);
  });

  it('/calibration format:csv and format:json arrive as files carrying the definitions', async () => {
    await resolvedMarket();
    const csv = await deferred('carol', 'calibration', undefined, [option.string('format', 'csv')]);
    expect(csv.files[0]?.filename).toBe(`calibration-${bot.userId('carol')}.csv`);
    const csvText = csv.files[0]!.bytes.toString('utf8');
    expect(csvText).toMatch(/^# Crux calibration export, generated /);
    expect(csvText).toContain("# forecast: A user's forecast is the market probability right after each of their trades");
    const [header, ...buckets] = csvText.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(header).toBe('bucket_lower,bucket_upper,forecasts,mean_forecast,observed_frequency,interval_90_lower,interval_90_upper');
    expect(buckets).toHaveLength(10);
    // carol's one forecast, 30% Yes, in the [0.3, 0.4) bucket; Yes happened. Wilson's 90% interval for 1 of 1 is
    // [1 / (1 + z^2), 1] = [0.26987, 1]: one forecast says little.
    expect(buckets[3]).toMatch(/^0\.3,0\.4,1,0\.3,1,0\.26986\d*,1$/);
    expect(csv.embeds[0]?.image).toBeUndefined();

    const json = await deferred('bob', 'calibration', undefined, [option.user('user', 'carol'), option.string('format', 'json')]);
    const document = JSON.parse(json.files[0]!.bytes.toString('utf8')) as { definitions: Record<string, string>; user: Record<string, unknown> };
    expect(document.definitions['brier']).toMatch(/^Brier score, lower is better/);
    expect(document.user).toMatchObject({ user_id: bot.userId('carol'), markets_forecast: 1, mean_brier: expect.closeTo(0.49, 12) });
  });

  it('/calibration for someone with nothing scored answers privately', async () => {
    const interaction = slash('alice', 'calibration', undefined, []);
    await bot.fake.waitUntil(() => bot.fake.followUps(interaction.id).length === 1);
    expect(bot.fake.originalResponse(interaction.id)).toBeUndefined();
    const [answer] = bot.fake.followUps(interaction.id);
    expect(answer?.flags).toBe(MessageFlags.Ephemeral);
    expect(answer?.content).toContain('has no scored forecasts yet');
  });

  it('/market show attaches the price-history chart and shows it in the card', async () => {
    const marketId = await resolvedMarket();
    const { embeds, files } = await deferred('carol', 'market', 'show', [option.string('market', marketId)]);
    expect(files.map((file) => file.filename)).toEqual([`${marketId}-prices.png`]);
    const png = PNG.sync.read(files[0]!.bytes);
    expect([png.width, png.height]).toEqual([800, 600]);
    expect(embeds[0]?.image?.url).toBe(`attachment://${marketId}-prices.png`);
    expect(embeds[0]?.footer?.text).toContain(marketId);
  });

  it('/leaderboard by:brier ranks forecasters on resolved markets, naming those without an account by their forecast', async () => {
    await resolvedMarket();
    const board = slash('alice', 'leaderboard', undefined, [option.string('by', 'brier')]);
    const callback = await bot.fake.waitForCallback(board.id);
    const data = 'data' in callback ? (callback.data as { embeds?: APIEmbed[] } | undefined) : undefined;
    expect(data?.embeds?.[0]?.title).toBe('Leaderboard — mean time-averaged Brier (lower is better)');
    // carol only stated a forecast, so she has no account; her name comes from the forecast.
    expect(data?.embeds?.[0]?.description).toBe('🥇 bob — 0.049 over 1 market\n🥈 carol — 0.490 over 1 market');
  });
});
