import { type APIMessage, ComponentType, InteractionResponseType, PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { CardDestinations, MISSING_CARD_GRACE_MS, postMissingCards } from '../../bot/missing-cards.ts';
import { loadClaims } from '../../bot/startup.ts';
import { option, type GuildSpec } from '../fake-discord/index.ts';
import { marketKeyOnCard } from '../support/cards.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';

/** Two servers, each with its own #markets set as its market channel by the tests. */
const ADMINS = { name: 'Admins', permissions: PermissionFlagsBits.ManageGuild };
const ALPHA: GuildSpec = {
  name: 'Alpha',
  textChannels: ['general', 'markets'],
  roles: [ADMINS],
  members: [{ username: 'alpha-owner' }, { username: 'alpha-mod', roles: ['Admins'] }, { username: 'alice' }],
  ownerUsername: 'alpha-owner',
};
const BETA: GuildSpec = {
  name: 'Beta',
  textChannels: ['general', 'markets'],
  roles: [ADMINS],
  members: [{ username: 'beta-owner' }, { username: 'beta-mod', roles: ['Admins'] }, { username: 'carol' }],
  ownerUsername: 'beta-owner',
};

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started), {}, [ALPHA, BETA]);

const MINUTE = 60_000;

function setMarketChannel(guild: string, moderator: string, channelId: string): void {
  const realm = bot.fake.guildByName(guild).id;
  const actor = { userId: bot.fake.user(moderator).id, isModerator: true };
  expect(bot.crux.app.realms.update({ market_channel: channelId }, { realm, actor, now: Date.now() }).ok).toBe(true);
}

interface StoredCard {
  id: string;
  channel_id: string | null;
  message_id: string | null;
}

function storedCard(guild: string, question: string): StoredCard {
  const realm = bot.fake.guildByName(guild).id;
  return bot.db.prepare('SELECT id, channel_id, message_id FROM markets WHERE realm = ? AND question = ?').get(realm, question) as StoredCard;
}

function cardsIn(guild: string): APIMessage[] {
  return bot.fake.messagesIn('markets', guild).filter((message) => message.embeds.length > 0);
}

/** The market keys on the cards in a server's #markets, oldest first. */
function keysIn(guild: string): string[] {
  return cardsIn(guild).map((message) => marketKeyOnCard(message.embeds[0]));
}

const failedOpens = () => bot.logs.filter((line) => line.includes('could not answer an interaction')).length;

/**
 * A member opens a market from #general, so its card goes to the market channel; `refuse` makes Discord refuse that
 * post. Returns once the card is stored or the open's post has failed.
 */
async function openFromGeneral(guild: string, user: string, question: string, refuse = false): Promise<StoredCard> {
  const failedBefore = failedOpens();
  if (refuse) bot.fake.refuseNextMessages(1);
  const open = bot.fake.slashCommand({
    name: 'market',
    subcommand: 'open',
    user,
    guild,
    channel: 'general',
    options: [option.string('question', question), option.string('criteria', 'As reported.'), option.string('closes', '2027-12-31')],
  });
  await bot.fake.waitForCallback(open.id);
  // A failed post leaves the market committed without its card: the window a crash between the two leaves too.
  await bot.fake.waitUntil(() => failedOpens() > failedBefore || storedCard(guild, question)?.message_id != null, { description: 'the card is stored or its post failed' });
  // The member's plain note about a failed answer is a message too: sent before a test refuses the next one.
  if (failedOpens() > failedBefore) await bot.fake.waitUntil(() => bot.fake.followUps(open.id).length > 0, { description: 'the plain note' });
  return storedCard(guild, question);
}

function runRecovery(at: number, destinations: CardDestinations) {
  return postMissingCards(bot.crux.app, { ...bot.crux.jobHooks, now: () => at }, destinations);
}

const missingCardFailures = () => bot.logs.filter((line) => line.includes('could not post a missing market card')).length;

describe('a market whose card was never posted', () => {
  it("gets exactly one card, in its own server's market channel, with bet buttons that work", async () => {
    setMarketChannel('Alpha', 'alpha-mod', bot.fake.guildByName('Alpha').channel('markets').id);
    setMarketChannel('Beta', 'beta-mod', bot.fake.guildByName('Beta').channel('markets').id);
    const alphaLost = await openFromGeneral('Alpha', 'alice', 'Will the Alpha lab publish its evals?', true);
    const betaLost = await openFromGeneral('Beta', 'carol', 'Will the Beta lab pause training?', true);
    const betaPosted = await openFromGeneral('Beta', 'carol', 'Will the Beta lab publish its evals?');
    expect([alphaLost.message_id, betaLost.message_id]).toEqual([null, null]);
    expect(keysIn('Alpha')).toEqual([]);
    expect(keysIn('Beta')).toEqual([betaPosted.id]);

    const destinations = new CardDestinations();
    // Within the grace period an open's own post may still be on its way: nothing is posted beside it.
    expect(await runRecovery(Date.now(), destinations)).toEqual([]);
    expect(keysIn('Alpha')).toEqual([]);

    const later = Date.now() + MISSING_CARD_GRACE_MS + 1;
    const recovered = await runRecovery(later, destinations);
    expect(recovered.map((market) => market.id).sort()).toEqual([alphaLost.id, betaLost.id].sort());
    expect(keysIn('Alpha')).toEqual([alphaLost.id]);
    expect(keysIn('Beta')).toEqual([betaPosted.id, betaLost.id]);
    for (const [guild, lost] of [['Alpha', alphaLost], ['Beta', betaLost]] as const) {
      const stored = storedCard(guild, guild === 'Alpha' ? 'Will the Alpha lab publish its evals?' : 'Will the Beta lab pause training?');
      expect(stored.channel_id).toBe(bot.fake.guildByName(guild).channel('markets').id);
      expect(cardsIn(guild).find((message) => marketKeyOnCard(message.embeds[0]) === lost.id)?.id).toBe(stored.message_id);
    }

    // Every card is posted now: later runs post nothing more, in either server.
    expect(await runRecovery(later + MINUTE, destinations)).toEqual([]);
    expect(await runRecovery(later + 2 * MINUTE, new CardDestinations())).toEqual([]);
    expect(keysIn('Alpha')).toEqual([alphaLost.id]);
    expect(keysIn('Beta')).toEqual([betaPosted.id, betaLost.id]);

    // The recovered card's button bets on its own server's market.
    const card = cardsIn('Alpha')[0];
    const row = card?.components?.[0];
    const button = row?.type === ComponentType.ActionRow ? row.components[0] : undefined;
    const customId = button && 'custom_id' in button ? button.custom_id : '';
    expect(customId).toMatch(/^crux:bet:/);
    const press = bot.fake.buttonPress({ customId, user: 'alice', guild: 'Alpha', channel: 'markets', messageId: card?.id ?? '' });
    expect(await bot.fake.waitForCallback(press.id)).toMatchObject({ type: InteractionResponseType.Modal, data: { title: 'Bet on Yes' } });
    const amountId = customId.replace('crux:bet:', 'crux:betamount:');
    const submit = bot.fake.modalSubmit({ customId: amountId, fields: { amount: '25', max_price: '' }, user: 'alice', guild: 'Alpha', channel: 'markets' });
    await bot.fake.waitForCallback(submit.id);
    expect(bot.db.prepare('SELECT COUNT(*) AS n FROM positions WHERE market_id = ? AND shares > 0').get(alphaLost.id)).toEqual({ n: 1 });
  });

  it('tries a channel that refused a card again only after a backoff, logging the failure once', async () => {
    setMarketChannel('Alpha', 'alpha-mod', bot.fake.guildByName('Alpha').channel('markets').id);
    const lost = await openFromGeneral('Alpha', 'alice', 'Will the Alpha lab publish its evals?', true);
    const destinations = new CardDestinations();
    const first = Date.now() + MISSING_CARD_GRACE_MS + 1;

    // Discord refuses the recovery's post too (a 5xx, a permission missing for a while).
    bot.fake.refuseNextMessages(1);
    expect(await runRecovery(first, destinations)).toEqual([]);
    expect(missingCardFailures()).toBe(1);
    // Discord would take the card now, so a run that tried would post it: the runs within the backoff do not try.
    expect(await runRecovery(first + MINUTE, destinations)).toEqual([]);
    expect(await runRecovery(first + 4 * MINUTE, destinations)).toEqual([]);
    expect(keysIn('Alpha')).toEqual([]);

    expect((await runRecovery(first + 5 * MINUTE, destinations)).map((market) => market.id)).toEqual([lost.id]);
    expect(keysIn('Alpha')).toEqual([lost.id]);
    expect(missingCardFailures()).toBe(1);
    expect(bot.logs.filter((line) => line.includes('missing market cards are posted again'))).toHaveLength(1);
  });

  it("never posts a card into another server's channel, however long it keeps trying", async () => {
    const alphaMarkets = bot.fake.guildByName('Alpha').channel('markets').id;
    // A setting stored before the settings check refused other servers' channels (written here past it).
    setMarketChannel('Beta', 'beta-mod', alphaMarkets);
    const lost = await openFromGeneral('Beta', 'carol', 'Will the Beta lab pause training?');
    expect(lost.message_id).toBeNull();
    const destinations = new CardDestinations();
    const first = Date.now() + MISSING_CARD_GRACE_MS + 1;
    for (const hours of [0, 1, 7, 24, 48]) expect(await runRecovery(first + hours * 60 * MINUTE, destinations)).toEqual([]);
    expect(keysIn('Alpha')).toEqual([]);
    expect(missingCardFailures()).toBe(1);

    // Once Beta names its own channel, the card goes there at the next run.
    setMarketChannel('Beta', 'beta-mod', bot.fake.guildByName('Beta').channel('markets').id);
    expect((await runRecovery(first + 49 * 60 * MINUTE, destinations)).map((market) => market.id)).toEqual([lost.id]);
    expect(keysIn('Beta')).toEqual([lost.id]);
    expect(keysIn('Alpha')).toEqual([]);
  });

  it('keeps one card when two runs of the job post it at once (processes overlapping in a restart)', async () => {
    setMarketChannel('Alpha', 'alpha-mod', bot.fake.guildByName('Alpha').channel('markets').id);
    const lost = await openFromGeneral('Alpha', 'alice', 'Will the Alpha lab publish its evals?', true);
    const at = Date.now() + MISSING_CARD_GRACE_MS + 1;
    const runs = await Promise.all([runRecovery(at, new CardDestinations()), runRecovery(at, new CardDestinations())]);
    expect(runs.flat().map((market) => market.id)).toEqual([lost.id]);
    expect(keysIn('Alpha')).toEqual([lost.id]);
    expect(storedCard('Alpha', 'Will the Alpha lab publish its evals?').message_id).toBe(cardsIn('Alpha')[0]?.id);
  });

  it('in a server without a market channel, gets its card where it was opened', async () => {
    const beta = bot.fake.guildByName('Beta');
    const general = beta.channel('general').id;
    // Committed, and the process gone before its answer (the card) reached Discord.
    const opened = bot.crux.app.resolution.openMarket(
      { question: 'Will the Beta lab ship a model card?', criteria: 'As reported.', closesAt: Date.now() + 30 * 24 * 60 * MINUTE, guildId: beta.id, channelId: general },
      undefined,
      { realm: beta.id, actor: { userId: bot.fake.user('carol').id, isModerator: false }, now: Date.now() },
    );
    if (!opened.ok) throw new Error(opened.error.message);
    const recovered = await runRecovery(Date.now() + MISSING_CARD_GRACE_MS + 1, new CardDestinations());
    expect(recovered.map((market) => market.id)).toEqual([opened.value.id]);
    const cards = bot.fake.messagesIn('general', 'Beta').filter((message) => message.embeds.length > 0);
    expect(cards.map((message) => marketKeyOnCard(message.embeds[0]))).toEqual([opened.value.id]);
    expect(storedCard('Beta', 'Will the Beta lab ship a model card?')).toMatchObject({ channel_id: general, message_id: cards[0]?.id });
    expect(keysIn('Alpha')).toEqual([]);
  });

  it("leaves a crux's conditionals without cards of their own: the crux's card shows them", async () => {
    const beta = bot.fake.guildByName('Beta');
    const general = beta.channel('general').id;
    const context = { realm: beta.id, actor: { userId: bot.fake.user('beta-mod').id, isModerator: true }, now: Date.now() };
    const open = (question: string) => {
      const opened = bot.crux.app.resolution.openMarket(
        { question, criteria: 'As reported.', closesAt: Date.now() + 30 * 24 * 60 * MINUTE, guildId: beta.id, channelId: general },
        undefined,
        context,
      );
      if (!opened.ok) throw new Error(opened.error.message);
      return opened.value;
    };
    const [claim, condition] = [open('Do RL agents seek power?'), open('Is ROME replicated?')];
    const crux = bot.crux.app.cruxes.openCrux(claim.slug, condition.slug, { guildId: beta.id, channelId: general }, context);
    if (!crux.ok) throw new Error(crux.error.message);
    const recovered = await runRecovery(Date.now() + MISSING_CARD_GRACE_MS + 1, new CardDestinations());
    expect(recovered.map((market) => market.id)).toEqual([claim.id, condition.id]);
    expect(crux.value.branches).toHaveLength(2);
    for (const branch of crux.value.branches) expect(bot.db.prepare('SELECT message_id FROM markets WHERE id = ?').get(branch.conditional.id)).toEqual({ message_id: null });
  });

  it("gets the cards of a claim pack loaded into a server, in that server's market channel only", async () => {
    const alpha = bot.fake.guildByName('Alpha');
    setMarketChannel('Alpha', 'alpha-mod', alpha.channel('markets').id);
    setMarketChannel('Beta', 'beta-mod', bot.fake.guildByName('Beta').channel('markets').id);
    // --load-claims opens the pack's markets with no card: they are posted by the job, nowhere else.
    expect(loadClaims(bot.crux.app, 'claims/starter.json', alpha.id, Date.now())).toContain('opened 5 market(s)');
    const claims = (bot.db.prepare('SELECT id FROM markets WHERE realm = ? ORDER BY created_at, id').all(alpha.id) as { id: string }[]).map((row) => row.id);
    expect(claims).toHaveLength(5);
    const recovered = await runRecovery(Date.now() + MISSING_CARD_GRACE_MS + 1, new CardDestinations());
    expect(recovered.map((market) => market.id)).toEqual(claims);
    expect(keysIn('Alpha')).toEqual(claims);
    expect(keysIn('Beta')).toEqual([]);
  });
});
