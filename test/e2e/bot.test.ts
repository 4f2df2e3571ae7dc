import { InteractionResponseType, MessageFlags } from 'discord.js';
import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { option, type RecordedCallback } from '../fake-discord/index.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started));

const QUESTION = 'Will a replication of the ROME result be published by 2027?';

async function command(user: string, name: string, subcommand: string | undefined, options: ReturnType<typeof option.string>[]) {
  const interaction = bot.fake.slashCommand({ name, ...(subcommand ? { subcommand } : {}), user, channel: 'markets', options });
  const callback = await bot.fake.waitForCallback(interaction.id);
  return { interaction, callback };
}

/** The message a callback carries (none for a modal or a deferral). */
function messageOf(callback: RecordedCallback): { embeds?: APIEmbed[] | null; flags?: number | null; content?: string | null } {
  if (!('data' in callback) || callback.data === undefined) return {};
  const data = callback.data;
  return 'custom_id' in data || 'choices' in data ? {} : data;
}

function embedsOf(callback: RecordedCallback): APIEmbed[] {
  return messageOf(callback).embeds ?? [];
}

function flagsOf(callback: RecordedCallback): number {
  return messageOf(callback).flags ?? 0;
}

function contentOf(callback: RecordedCallback): string {
  return messageOf(callback).content ?? '';
}

async function openMarket(user = 'alice', extra: ReturnType<typeof option.string>[] = []) {
  const opened = await command(user, 'market', 'open', [
    option.string('question', QUESTION),
    option.string('criteria', 'YES if an independent team publishes a replication before 2028.'),
    option.string('closes', '2027-12-31'),
    ...extra,
  ]);
  const marketId = marketKeyOnCard(embedsOf(opened.callback)[0]);
  return { ...opened, marketId };
}

describe('a market in chat, end to end', () => {
  it('opens, takes bets from three members and a sell, refuses a non-moderator, resolves and pays out', async () => {
    const { callback: openCallback, interaction: openInteraction, marketId } = await openMarket('alice', [option.number('probability', 40)]);
    expect(openCallback.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    const card = embedsOf(openCallback)[0];
    expect(card?.title).toBe(QUESTION);
    expect(card?.fields?.[0]?.value).toContain('40.0%');
    expect(marketId).toBe('replication-rome-result-published-2027');
    const posted = bot.fake.originalResponse(openInteraction.id);
    expect(posted?.components?.length).toBe(1);
    // The card's message id is recorded once Discord's answer to the callback reaches the bot.
    const storedCard = () => bot.db.prepare('SELECT channel_id, message_id FROM markets WHERE id = ?').get(marketId) as { message_id: string | null };
    await bot.fake.waitUntil(() => storedCard().message_id !== null);
    const stored = storedCard();
    expect(stored).toEqual({ channel_id: bot.fake.guild.channel('markets').id, message_id: posted?.id });

    const bets = [
      ['alice', 'Yes', 100],
      ['bob', 'No', 60],
      ['carol', 'Yes', 30],
    ] as const;
    for (const [user, outcome, amount] of bets) {
      const { callback } = await command(user, 'bet', undefined, [
        option.string('market', marketId),
        option.string('outcome', outcome),
        option.integer('amount', amount),
      ]);
      expect(flagsOf(callback) & MessageFlags.Ephemeral).toBe(0);
      expect(embedsOf(callback)[0]?.title).toMatch(new RegExp(`^${user} bought [\\d.]+ ${outcome} shares$`));
    }
    const sold = await command('bob', 'sell', undefined, [option.string('market', marketId), option.string('outcome', 'No'), option.number('shares', 10)]);
    expect(embedsOf(sold.callback)[0]?.title).toBe('bob sold 10 No shares');

    // The posted card follows the prices.
    await bot.fake.waitUntil(() => (bot.fake.message(posted?.id ?? '')?.embeds[0]?.fields?.[2]?.value ?? '') === '3');
    const traded = bot.fake.message(posted?.id ?? '')?.embeds[0];
    expect(traded?.fields?.find((f) => f.name === 'Traders')?.value).toBe('3');

    const refused = await command('bob', 'mod', 'resolve', [
      option.string('market', marketId),
      option.string('outcome', 'No'),
      option.string('evidence', 'trust me'),
    ]);
    expect(flagsOf(refused.callback) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(contentOf(refused.callback)).toContain('Only moderators can resolve a market.');
    expect(bot.ledgerCount('payout')).toBe(0);

    const aliceShares = (bot.db.prepare(`SELECT shares FROM positions WHERE user_id = ? AND outcome = 0`).get(bot.userId('alice')) as { shares: number }).shares;
    const aliceBefore = bot.balance('alice');
    const asked = await command('moderator', 'mod', 'resolve', [
      option.string('market', marketId),
      option.string('outcome', 'Yes'),
      option.string('evidence', 'https://example.org/replication'),
    ]);
    // Resolving cannot be undone by trading: the moderator sees what it will pay, privately, and nothing is paid yet.
    expect(flagsOf(asked.callback) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(embedsOf(asked.callback)[0]?.title).toBe(`Resolve ${marketId} as Yes?`);
    expect(embedsOf(asked.callback)[0]?.description).toContain('to 2 holder(s) of Yes');
    expect(bot.ledgerCount('payout')).toBe(0);
    const resolved = await bot.confirm(asked.interaction, 'moderator');
    expect(resolved.embeds[0]?.title).toBe(`✅ ${marketId} resolved Yes`);
    expect((resolved.flags ?? 0) & MessageFlags.Ephemeral).toBe(0);
    expect(bot.fake.originalResponse(asked.interaction.id)?.content).toBe('✅ Confirmed.');
    expect(bot.balance('alice')).toBe(aliceBefore + aliceShares);
    expect(bot.ledgerCount('payout')).toBe(2);

    await bot.fake.waitUntil(() => bot.fake.message(posted?.id ?? '')?.components?.length === 0);
    const final = bot.fake.message(posted?.id ?? '')?.embeds[0];
    expect(final?.fields?.find((f) => f.name === 'Resolution')?.value).toContain('Resolved **Yes**');
    expect(final?.fields?.find((f) => f.name === 'Resolution')?.value).toContain('https://example.org/replication');
    expect(final?.footer?.text).toContain('resolved');
  });

  it('cancels a market and refunds every trader', async () => {
    const { marketId } = await openMarket('carol');
    await command('alice', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 80)]);
    await command('bob', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'No'), option.integer('amount', 20)]);
    const asked = await command('admin', 'mod', 'cancel', [option.string('market', marketId), option.string('reason', 'The question was ill-posed')]);
    expect(embedsOf(asked.callback)[0]?.title).toBe(`Cancel ${marketId}?`);
    const cancelled = await bot.confirm(asked.interaction, 'admin');
    expect(cancelled.embeds[0]?.title).toContain('cancelled');
    expect(bot.balance('alice')).toBe(1_000_000);
    expect(bot.balance('bob')).toBe(1_000_000);
  });

  it('lets only the asker confirm, and Cancel leaves everything as it was', async () => {
    const { marketId } = await openMarket();
    await command('bob', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 10)]);
    const asked = await command('moderator', 'mod', 'cancel', [option.string('market', marketId), option.string('reason', 'duplicate')]);
    const [confirmId, dismissId] = ((asked.callback as { data?: { components?: { components: { custom_id: string }[] }[] } }).data?.components?.[0]?.components ?? []).map(
      (button) => button.custom_id,
    );
    const messageId = bot.fake.originalResponse(asked.interaction.id)?.id ?? '';
    const stranger = bot.fake.buttonPress({ customId: confirmId ?? '', user: 'admin', channel: 'markets', messageId });
    expect(contentOf(await bot.fake.waitForCallback(stranger.id))).toContain('Only the member who asked');
    const dismissed = bot.fake.buttonPress({ customId: dismissId ?? '', user: 'moderator', channel: 'markets', messageId });
    expect(await bot.fake.waitForCallback(dismissed.id)).toMatchObject({ type: InteractionResponseType.UpdateMessage, data: { content: 'Cancelled; nothing was changed.' } });
    const late = bot.fake.buttonPress({ customId: confirmId ?? '', user: 'moderator', channel: 'markets', messageId });
    expect(await bot.fake.waitForCallback(late.id)).toMatchObject({ data: { content: expect.stringContaining('expired or was already answered') } });
    expect(bot.ledgerCount('refund')).toBe(0);
    expect(bot.db.prepare('SELECT status FROM markets WHERE id = ?').get(marketId)).toEqual({ status: 'open' });
  });

  it('corrects a resolution after confirmation, reversing the payouts on the ledger', async () => {
    const { marketId } = await openMarket();
    await command('bob', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 50)]);
    await command('carol', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'No'), option.integer('amount', 50)]);
    const resolve = await command('moderator', 'mod', 'resolve', [option.string('market', marketId), option.string('outcome', 'Yes'), option.string('evidence', 'first report')]);
    await bot.confirm(resolve.interaction, 'moderator');
    const bobPaid = bot.balance('bob');
    const asked = await command('moderator', 'mod', 'correct', [option.string('market', marketId), option.string('outcome', 'No'), option.string('evidence', 'the report was retracted')]);
    expect(embedsOf(asked.callback)[0]?.title).toBe(`Correct ${marketId} to No?`);
    await bot.confirm(asked.interaction, 'moderator');
    expect(bot.db.prepare('SELECT resolved_outcome FROM markets WHERE id = ?').get(marketId)).toEqual({ resolved_outcome: 1 });
    expect(bot.balance('bob')).toBeLessThan(bobPaid);
    expect(bot.balance('carol')).toBeGreaterThan(1_000_000);
    expect(bot.ledgerCount('clawback')).toBe(1);
  });

  it('applies a duplicated interaction once', async () => {
    const { marketId } = await openMarket();
    const { interaction } = await command('bob', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 10)]);
    bot.fake.redeliver(interaction);
    await bot.fake.waitUntil(() => bot.fake.deliveries(interaction.id) === 2);
    // Give the bot the chance to (wrongly) act on the second delivery before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bot.ledgerCount('buy')).toBe(1);
    expect(bot.balance('bob')).toBeLessThan(1_000_000);
    expect(bot.balance('bob')).toBeGreaterThanOrEqual(990_000);
  });

  it('answers bad options with an ephemeral error and writes nothing', async () => {
    const { marketId } = await openMarket();
    const entries = bot.ledgerCount();
    const cases = [
      [[option.string('market', marketId), option.string('outcome', 'Maybe'), option.integer('amount', 10)], 'is not an outcome'],
      [[option.string('market', 'no-such-market'), option.string('outcome', 'Yes'), option.integer('amount', 10)], 'There is no market'],
      [[option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 5_000)], 'you have 1,000'],
      [[option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 500), option.number('max_price', 55)], 'past your limit of 55.0%'],
    ] as const;
    for (const [options, message] of cases) {
      const { callback } = await command('bob', 'bet', undefined, [...options]);
      expect(flagsOf(callback) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
      expect(contentOf(callback)).toContain(message);
    }
    expect(bot.ledgerCount()).toBe(entries);
  });

  it('autocompletes markets and their outcomes', async () => {
    const { marketId } = await openMarket();
    const markets = bot.fake.autocomplete({ name: 'bet', user: 'bob', options: [], focused: { name: 'market', value: 'replic' } });
    expect(await bot.fake.waitForCallback(markets.id)).toMatchObject({
      type: InteractionResponseType.ApplicationCommandAutocompleteResult,
      data: { choices: [{ value: marketId }] },
    });
    const outcomes = bot.fake.autocomplete({ name: 'bet', user: 'bob', options: [option.string('market', marketId)], focused: { name: 'outcome', value: 'n' } });
    expect(await bot.fake.waitForCallback(outcomes.id)).toMatchObject({ data: { choices: [{ name: 'No', value: 'No' }] } });
  });

  it('bets through the card: a button opens a form, the form places the bet', async () => {
    const { interaction: openInteraction, marketId } = await openMarket();
    const posted = bot.fake.originalResponse(openInteraction.id);
    const press = bot.fake.buttonPress({ customId: `crux:bet:${marketId}:1`, user: 'carol', channel: 'markets', messageId: posted?.id ?? '' });
    const modal = await bot.fake.waitForCallback(press.id);
    expect(modal).toMatchObject({ type: InteractionResponseType.Modal, data: { custom_id: `crux:betamount:${marketId}:1`, title: 'Bet on No' } });
    const submit = bot.fake.modalSubmit({ customId: `crux:betamount:${marketId}:1`, fields: { amount: '25', max_price: '' }, user: 'carol', channel: 'markets' });
    const receipt = await bot.fake.waitForCallback(submit.id);
    expect(embedsOf(receipt)[0]?.title).toMatch(/^carol bought [\d.]+ No shares$/);
    expect(bot.balance('carol')).toBe(975_000);
  });

  it('asks for the long texts in a form when /market open leaves them out', async () => {
    const { callback } = await command('alice', 'market', 'open', [option.string('closes', 'in 3 weeks'), option.number('probability', 70)]);
    expect(callback).toMatchObject({ type: InteractionResponseType.Modal, data: { custom_id: 'crux:open:70:-' } });
    const submit = bot.fake.modalSubmit({
      customId: 'crux:open:70:-',
      fields: { question: 'Does RL training reliably produce power-seeking?', criteria: 'YES if two labs report it.', closes: 'in 3 weeks', outcomes: '', source: '' },
      user: 'alice',
      channel: 'markets',
    });
    const opened = await bot.fake.waitForCallback(submit.id);
    expect(embedsOf(opened)[0]?.title).toBe('Does RL training reliably produce power-seeking?');
    expect(embedsOf(opened)[0]?.fields?.[0]?.value).toContain('70.0%');
  });

  it('offers a select menu for many outcomes, then a form', async () => {
    const { interaction, marketId } = await openMarket('alice', [option.string('outcomes', 'OpenAI, Google DeepMind, Anthropic, Alibaba, Other, None')]);
    const posted = bot.fake.originalResponse(interaction.id);
    expect(posted?.components?.[0]).toMatchObject({ components: [{ custom_id: `crux:betselect:${marketId}` }] });
    const pick = bot.fake.selectMenu({ customId: `crux:betselect:${marketId}`, values: ['2'], user: 'bob', channel: 'markets', messageId: posted?.id ?? '' });
    expect(await bot.fake.waitForCallback(pick.id)).toMatchObject({ type: InteractionResponseType.Modal, data: { title: 'Bet on Anthropic' } });
    const submit = bot.fake.modalSubmit({ customId: `crux:betamount:${marketId}:2`, fields: { amount: '40', max_price: '50' }, user: 'bob', channel: 'markets' });
    expect(embedsOf(await bot.fake.waitForCallback(submit.id))[0]?.title).toMatch(/^bob bought [\d.]+ Anthropic shares$/);
  });

  it('shows portfolios privately and a profit leaderboard publicly', async () => {
    const { marketId } = await openMarket();
    await command('bob', 'bet', undefined, [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 100)]);
    const own = await command('bob', 'portfolio', undefined, []);
    expect(flagsOf(own.callback) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(embedsOf(own.callback)[0]?.description).toContain(`${marketId}`);
    expect(embedsOf(own.callback)[0]?.fields?.[0]?.value).toBe('900 credits');
    const other = await command('alice', 'portfolio', undefined, [option.user('user', 'bob')]);
    expect(flagsOf(other.callback) & MessageFlags.Ephemeral).toBe(0);
    expect(embedsOf(other.callback)[0]?.title).toBe('Portfolio of bob');
    const asked = await command('moderator', 'mod', 'resolve', [option.string('market', marketId), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org')]);
    await bot.confirm(asked.interaction, 'moderator');
    const board = await command('alice', 'leaderboard', undefined, []);
    expect(embedsOf(board.callback)[0]?.description).toMatch(/^🥇 bob — [\d.,]+ profit/);
  });

  it('registers its command definitions, which Discord accepts', async () => {
    const guild = bot.client.guilds.cache.get(bot.fake.guild.id);
    await guild?.commands.set(bot.crux.commands);
    expect(bot.fake.registeredCommands(bot.fake.guild.id).map((c) => c.name)).toEqual(['market', 'mod', 'bet', 'sell', 'portfolio', 'leaderboard', 'forecast', 'calibration', 'crux', 'evidence', 'notify']);
  });
});
