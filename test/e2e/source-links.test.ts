import { ComponentType, InteractionResponseType, MessageFlags } from 'discord.js';
import type { APIMessage } from 'discord.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { option, type RecordedCallback } from '../fake-discord/index.ts';
import { POLYMARKET_EVENT_SLUG, polymarketEventMarket, polymarketEvents } from '../sources/fixtures.ts';
import { json, type Route, startServer, type TestServer } from '../sources/server.ts';
import { type CruxOnFakeDiscord, cruxOnFakeDiscordPerTest, NEVER } from '../support/discord.ts';

const EVENT_LINK = `https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}`;
const routes: Record<string, Route> = {
  [`/events?slug=${POLYMARKET_EVENT_SLUG}`]: json(polymarketEvents([polymarketEventMarket('Anthropic'), polymarketEventMarket('OpenAI')])),
};

let polymarket: TestServer | undefined;
let bot: CruxOnFakeDiscord;
beforeEach(async () => {
  polymarket = await startServer(routes);
});
cruxOnFakeDiscordPerTest(
  (started) => (bot = started),
  () => ({ CRUX_POLYMARKET_API_BASE: polymarket?.baseUrl ?? '', CRUX_SOURCE_TIMEOUT_MS: '2000', CRUX_SOURCE_POLL_CRON: NEVER }),
);
afterEach(async () => {
  await polymarket?.close();
  polymarket = undefined;
});

function content(callback: RecordedCallback): string {
  const body = 'data' in callback ? callback.data : undefined;
  return body !== undefined && 'content' in body && typeof body.content === 'string' ? body.content : '';
}

function selectOf(message: APIMessage): { custom_id: string; values: string[] } | undefined {
  for (const row of message.components ?? []) {
    if (row.type !== ComponentType.ActionRow) continue;
    for (const component of row.components) {
      if (component.type === ComponentType.StringSelect) return { custom_id: component.custom_id, values: component.options.map((o) => o.value) };
    }
  }
  return undefined;
}

it('asks a moderator linking a Polymarket event of several markets which one, privately, and links the market picked', async () => {
  const open = bot.fake.slashCommand({
    name: 'market',
    subcommand: 'open',
    user: 'alice',
    channel: 'markets',
    options: [option.string('question', 'Will OpenAI claim AGI first?'), option.string('criteria', 'As Polymarket resolves.'), option.string('closes', '2027-06-30')],
  });
  await bot.fake.waitForCallback(open.id);
  const slug = (bot.db.prepare('SELECT slug FROM markets').get() as { slug: string }).slug;

  const link = bot.fake.slashCommand({
    name: 'mod',
    subcommand: 'link',
    user: 'moderator',
    channel: 'markets',
    options: [option.string('market', slug), option.string('url', EVENT_LINK)],
  });
  // Deferred while Crux asks Polymarket; the question comes as a private follow-up with the select.
  expect((await bot.fake.waitForCallback(link.id)).type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
  await bot.fake.waitUntil(() => bot.fake.followUps(link.id).length === 1);
  const asked = bot.fake.followUps(link.id)[0];
  expect(asked?.flags).toBe(MessageFlags.Ephemeral);
  expect(asked?.content).toContain('That Polymarket event has 2 markets');
  expect(selectOf(asked as APIMessage)).toEqual({
    custom_id: `crux:polypick:${slug}`,
    values: [`${POLYMARKET_EVENT_SLUG}-anthropic`, `${POLYMARKET_EVENT_SLUG}-openai`],
  });
  expect(bot.db.prepare('SELECT COUNT(*) AS n FROM market_links').get()).toEqual({ n: 0 });

  const pick = bot.fake.selectMenu({
    customId: `crux:polypick:${slug}`,
    values: [`${POLYMARKET_EVENT_SLUG}-openai`],
    user: 'moderator',
    channel: 'markets',
    messageId: asked?.id ?? '',
  });
  expect(content(await bot.fake.waitForCallback(pick.id))).toContain(
    `🔗 Linked <https://polymarket.com/market/${POLYMARKET_EVENT_SLUG}-openai> to \`${slug}\` as a Polymarket source`,
  );
  expect(bot.db.prepare('SELECT kind, ref FROM market_links').get()).toEqual({
    kind: 'polymarket',
    ref: JSON.stringify({ kind: 'polymarket', slug: `${POLYMARKET_EVENT_SLUG}-openai`, url: `https://polymarket.com/market/${POLYMARKET_EVENT_SLUG}-openai` }),
  });
});
