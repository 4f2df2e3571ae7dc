import type { APIEmbed } from 'discord.js';
import { InteractionResponseType } from 'discord.js';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { pollSources } from '../../bot/jobs.ts';
import { option, type RecordedRequest } from '../fake-discord/index.ts';
import { MANIFOLD_SLUG, manifoldBinaryMarket } from '../sources/fixtures.ts';
import { json, type Route, type TestServer } from '../sources/server.ts';
import { cruxBesideManifoldPerTest, type CruxOnFakeDiscord, openManifoldLinkedMarket } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';


let bot: CruxOnFakeDiscord;
let manifold: TestServer;
const routes: Record<string, Route> = { [`/v0/slug/${MANIFOLD_SLUG}`]: json(manifoldBinaryMarket()) };
cruxBesideManifoldPerTest(routes, (started, server) => {
  bot = started;
  manifold = server;
});

const outsideField = (embed: APIEmbed | undefined) => embed?.fields?.find((field) => field.name === 'Outside odds')?.value;

it('a market linked to Manifold: the poller reads its odds, the posted card shows them with their age, /market show charts them; our price stays', async () => {
  const opened = openManifoldLinkedMarket(bot);
  await bot.fake.waitForCallback(opened.id);
  const card = bot.fake.originalResponse(opened.id);
  expect(outsideField(card?.embeds[0])).toBeUndefined();
  const slug = marketKeyOnCard(card?.embeds[0]);

  const polledAt = Date.now();
  const report = await pollSources(bot.crux.app, { ...bot.crux.jobHooks, now: () => polledAt });
  expect(report).toMatchObject({ checked: 1, failed: 0, proposals: [] });
  expect(manifold.requests.map((request) => request.path)).toEqual([`/v0/slug/${MANIFOLD_SLUG}`]);

  // Manifold's fixture trades at 72.97% YES; the card, edited in place, says so under Crux's own 50%, with the reading's age.
  const redrawn = bot.fake.message(card?.id ?? '');
  expect(outsideField(redrawn?.embeds[0])).toBe(`Manifold 73% · <t:${Math.floor(polledAt / 1000)}:R>`);
  expect(redrawn?.embeds[0]?.fields?.find((field) => field.name === 'Prices')?.value).toContain('**50.0%** Yes');

  const show = bot.fake.slashCommand({ name: 'market', subcommand: 'show', user: 'bob', channel: 'markets', options: [option.string('market', slug)] });
  expect((await bot.fake.waitForCallback(show.id)).type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  const edit: RecordedRequest = await bot.fake.waitForRequest(
    ({ method, path }) => method === 'PATCH' && path === `/webhooks/${bot.fake.applicationId}/${show.token}/messages/@original`,
  );
  expect(outsideField((edit.body as { embeds?: APIEmbed[] }).embeds?.[0])).toBe(`Manifold 73% · <t:${Math.floor(polledAt / 1000)}:R>`);
  const png = PNG.sync.read(edit.files[0]!.bytes);
  expect([png.width, png.height]).toEqual([800, 600]);
  expect(bot.crux.app.views.market(bot.fake.guild.id, slug).prices).toEqual([0.5, 0.5]);
});
