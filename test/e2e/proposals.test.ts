import { ComponentType, InteractionResponseType, MessageFlags } from 'discord.js';
import type { APIEmbed, APIMessage } from 'discord.js';
import { expect, it } from 'vitest';
import { pollSources } from '../../bot/jobs.ts';
import { option, type RecordedCallback } from '../fake-discord/index.ts';
import { MANIFOLD_SLUG, manifoldBinaryMarket, manifoldResolvedBinary } from '../sources/fixtures.ts';
import { json, type Route } from '../sources/server.ts';
import { cruxBesideManifoldPerTest, type CruxOnFakeDiscord, MANIFOLD_LINK, openManifoldLinkedMarket } from '../support/discord.ts';

const MANIFOLD_PATH = `/v0/slug/${MANIFOLD_SLUG}`;

let bot: CruxOnFakeDiscord;
const routes: Record<string, Route> = {};
cruxBesideManifoldPerTest(routes, (started) => {
  bot = started;
});

function data(callback: RecordedCallback): { content?: string | null; flags?: number | null; embeds?: APIEmbed[] | null } {
  if (!('data' in callback) || callback.data === undefined) return {};
  const body = callback.data;
  return 'custom_id' in body || 'choices' in body ? {} : body;
}

function buttonIds(message: APIMessage): string[] {
  const ids: string[] = [];
  for (const row of message.components ?? []) {
    if (row.type !== ComponentType.ActionRow) continue;
    for (const component of row.components) if ('custom_id' in component) ids.push(component.custom_id);
  }
  return ids;
}

it('a market linked to Manifold that resolves YES: proposal with buttons, a member refused, a moderator accepts, payouts land', async () => {
  const opened = openManifoldLinkedMarket(bot);
  const card = data(await bot.fake.waitForCallback(opened.id)).embeds?.[0];
  const marketId = (bot.db.prepare('SELECT id FROM markets').get() as { id: string }).id;
  expect(card?.title).toBe('Will debate-based oversight beat RLHF by 2026?');
  expect(bot.db.prepare('SELECT kind FROM market_links WHERE market_id = ?').get(marketId)).toEqual({ kind: 'manifold' });

  const bet = bot.fake.slashCommand({
    name: 'bet',
    user: 'alice',
    channel: 'markets',
    options: [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 100)],
  });
  await bot.fake.waitForCallback(bet.id);
  const aliceShares = (bot.db.prepare('SELECT shares FROM positions WHERE user_id = ? AND outcome = 0').get(bot.userId('alice')) as { shares: number }).shares;

  routes[MANIFOLD_PATH] = json(manifoldBinaryMarket());
  expect((await pollSources(bot.crux.app, bot.crux.jobHooks)).proposals).toEqual([]);
  routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
  // Half an hour later (the default poll interval), with the plugin's own hooks: its checker and its Discord poster.
  const later = { ...bot.crux.jobHooks, now: () => Date.now() + 31 * 60_000 };
  const [proposal] = (await pollSources(bot.crux.app, later)).proposals;

  const posted = bot.fake.messagesIn('markets').find((message) => buttonIds(message).some((id) => id.startsWith('crux:proposal:')));
  if (posted === undefined) throw new Error('no proposal message was posted');
  expect(posted.embeds[0]?.title).toBe(`🔔 Sources say ${marketId} resolved Yes`);
  expect(posted.embeds[0]?.fields?.[0]?.value).toContain(`Manifold <${MANIFOLD_LINK}>`);
  expect(buttonIds(posted)).toEqual([`crux:proposal:accept:${proposal?.id}`, `crux:proposal:reject:${proposal?.id}`]);
  expect(bot.db.prepare('SELECT message_id FROM proposals').get()).toEqual({ message_id: posted.id });

  const byMember = bot.fake.buttonPress({ customId: `crux:proposal:accept:${proposal?.id}`, user: 'bob', channel: 'markets', messageId: posted.id });
  const refused = data(await bot.fake.waitForCallback(byMember.id));
  expect(refused.flags).toBe(MessageFlags.Ephemeral);
  expect(refused.content).toBe('⚠️ Only moderators can decide resolution proposals.');
  expect(bot.ledgerCount('payout')).toBe(0);

  const aliceBefore = bot.balance('alice');
  const byModerator = bot.fake.buttonPress({ customId: `crux:proposal:accept:${proposal?.id}`, user: 'moderator', channel: 'markets', messageId: posted.id });
  // The proposal message gets the decision in place of its buttons; the settlement follows as its own message.
  const accepted = await bot.fake.waitForCallback(byModerator.id);
  expect(accepted.type).toBe(InteractionResponseType.UpdateMessage);
  expect(data(accepted).content).toBe(`Proposal #${proposal?.id} accepted by <@${bot.userId('moderator')}>.`);
  expect(bot.fake.message(posted.id)?.components).toEqual([]);
  await bot.fake.waitUntil(() => bot.fake.followUps(byModerator.id).length === 1);
  const settlement = bot.fake.followUps(byModerator.id)[0];
  expect(settlement?.flags ?? 0).toBe(0);
  expect(settlement?.embeds[0]?.title).toBe(`✅ ${marketId} resolved Yes on the sources' word`);

  expect(bot.balance('alice')).toBe(aliceBefore + aliceShares);
  expect(bot.ledgerCount('payout')).toBe(1);
  expect(bot.db.prepare('SELECT status, resolved_by, resolution_evidence FROM markets').get()).toEqual({
    status: 'resolved',
    resolved_by: bot.userId('moderator'),
    resolution_evidence: proposal?.evidence,
  });
  expect(bot.db.prepare('SELECT status, decided_by FROM proposals').get()).toEqual({ status: 'accepted', decided_by: bot.userId('moderator') });
  // bot.close() verifies the ledger.
});
