import { MessageFlags } from 'discord.js';
import type { APIEmbed } from 'discord.js';
import { expect, it } from 'vitest';
import { endDisputeWindows } from '../../bot/jobs.ts';
import { verify } from '../../db/verify.ts';
import { option, type RecordedCallback } from '../fake-discord/index.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';

const HOUR = 60 * 60 * 1000;
/** Never fires during a test: the test runs the job itself. */
const NEVER = '0 0 1 1 *';

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started), { CRUX_DISPUTE_WINDOW_HOURS: '24', CRUX_SETTLEMENT_CRON: NEVER });

function messageOf(callback: RecordedCallback): { embeds?: APIEmbed[] | null; flags?: number | null; content?: string | null } {
  if (!('data' in callback) || callback.data === undefined) return {};
  const data = callback.data;
  return 'custom_id' in data || 'choices' in data ? {} : data;
}

async function command(user: string, name: string, subcommand: string | undefined, options: ReturnType<typeof option.string>[]) {
  const interaction = bot.fake.slashCommand({ name, ...(subcommand ? { subcommand } : {}), user, channel: 'markets', options });
  const callback = await bot.fake.waitForCallback(interaction.id);
  return { interaction, callback, message: messageOf(callback) };
}

/** A market alice opened, with alice on Yes and bob on No. */
async function marketWithTraders(): Promise<{ slug: string; cardId: string }> {
  const opened = await command('alice', 'market', 'open', [
    option.string('question', 'Will the ROME result replicate by 2027?'),
    option.string('criteria', 'YES if an independent team publishes a replication.'),
    option.string('closes', '2027-12-31'),
  ]);
  const slug = marketKeyOnCard(opened.message.embeds?.[0]);
  await command('alice', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 100)]);
  await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'No'), option.integer('amount', 60)]);
  return { slug, cardId: bot.fake.originalResponse(opened.interaction.id)?.id ?? '' };
}

function shares(username: string, outcome: number): number {
  return (bot.db.prepare('SELECT shares FROM positions WHERE user_id = ? AND outcome = ?').get(bot.userId(username), outcome) as { shares: number }).shares;
}

/** The job, run by the test at `hoursLater` hours from now with the plugin's own Discord poster. */
function runJobAt(hoursLater: number) {
  return endDisputeWindows(bot.crux.app, { ...bot.crux.jobHooks, now: () => Date.now() + hoursLater * HOUR });
}

function titlesIn(channel: string): string[] {
  return bot.fake.messagesIn(channel).map((message) => message.embeds[0]?.title ?? '');
}

it('a resolution waits out its window, shown on the card; the window ends undisputed and the job pays once', async () => {
  const { slug, cardId } = await marketWithTraders();
  const asked = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);
  expect(asked.message.embeds?.[0]?.description).toContain('the money moves after a dispute window of 24 h');
  const pending = await bot.confirm(asked.interaction, 'moderator');
  expect(pending.embeds[0]?.title).toBe(`⏳ ✅ ${slug} resolved Yes — pending`);
  expect(pending.embeds[0]?.fields?.map((f) => f.name)).toEqual(['Payouts when the window ends', 'Evidence', 'Decided by', 'Dispute window']);
  expect(pending.embeds[0]?.fields?.[0]?.value).toMatch(new RegExp(`^<@${bot.userId('alice')}> [\\d.,]+$`));
  expect(pending.embeds[0]?.fields?.[2]?.value).toBe(`<@${bot.userId('moderator')}> (held no position)`);
  expect(bot.ledgerCount('payout')).toBe(0);

  // The market's card shows the pending resolution and offers no bets.
  await bot.fake.waitUntil(() => bot.fake.message(cardId)?.embeds[0]?.fields?.some((f) => f.name === 'Pending resolution') === true);
  const card = bot.fake.message(cardId);
  expect(card?.components).toEqual([]);
  expect(card?.embeds[0]?.fields?.find((f) => f.name === 'Pending resolution')?.value).toContain('https://example.org/replicated');
  const late = await command('carol', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'No'), option.integer('amount', 10)]);
  expect(late.message.content).toBe(`⚠️ Market \`${slug}\` is closed for trading.`);

  const aliceBefore = bot.balance('alice');
  expect(await runJobAt(23)).toEqual([]);
  expect(bot.ledgerCount('payout')).toBe(0);
  const [applied] = await runJobAt(24);
  expect(applied?.record.status).toBe('applied');
  expect(bot.balance('alice')).toBe(aliceBefore + shares('alice', 0));
  await bot.fake.waitUntil(() => titlesIn('markets').includes(`⚖️ ${slug} resolved Yes: the dispute window ended and the money moved`));
  expect(await runJobAt(25)).toEqual([]);
  expect(bot.ledgerCount('payout')).toBe(1);
  expect(titlesIn('markets').filter((title) => title.startsWith(`⚖️ ${slug} resolved Yes`))).toHaveLength(1);
  await bot.fake.waitUntil(() => bot.fake.message(cardId)?.embeds[0]?.footer?.text?.includes('resolved') === true);
  expect(bot.fake.message(cardId)?.embeds[0]?.fields?.find((f) => f.name === 'Resolution')?.value).toContain('(held no position)');
});

it("a trader's dispute reaches the moderators and holds the money; a changed outcome starts a new window; upholding pays it", async () => {
  const { slug } = await marketWithTraders();
  const asked = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);
  await bot.confirm(asked.interaction, 'moderator');

  const outsider = await command('carol', 'market', 'dispute', [option.string('market', slug), option.string('reason', 'I just disagree')]);
  expect(outsider.message.content).toBe(`⚠️ Only traders of \`${slug}\` can dispute its resolution.`);
  const disputed = await command('bob', 'market', 'dispute', [
    option.string('market', slug),
    option.string('reason', 'The replication used a different benchmark'),
    option.string('evidence', 'https://example.org/benchmark'),
  ]);
  expect((disputed.message.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(disputed.message.content).toContain(`Your dispute of \`${slug}\` resolved Yes is recorded`);
  const again = await command('bob', 'market', 'dispute', [option.string('market', slug), option.string('reason', 'Once more')]);
  expect(again.message.content).toBe(`⚠️ You have already disputed this resolution of \`${slug}\`.`);

  // The job tells the moderators, once; past the window an open dispute still holds the money.
  await runJobAt(0);
  await runJobAt(25);
  const notices = bot.fake.messagesIn('markets').filter((message) => message.embeds[0]?.title === `⚖️ ${slug}: a trader disputes "resolved Yes"`);
  expect(notices).toHaveLength(1);
  expect(notices[0]?.embeds[0]?.fields?.find((f) => f.name === 'Reason')?.value).toBe('The replication used a different benchmark');
  expect(notices[0]?.embeds[0]?.fields?.find((f) => f.name === 'Disputed by')?.value).toContain(`<@${bot.userId('bob')}>`);
  expect(bot.ledgerCount('payout')).toBe(0);

  // The moderator changes the outcome: a new pending decision, a new window.
  const change = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'No'), option.string('evidence', 'https://example.org/retraction')]);
  expect(change.message.embeds?.[0]?.description).toContain('This replaces the pending decision (resolved Yes) and starts a new window.');
  const changed = await bot.confirm(change.interaction, 'moderator');
  expect(changed.embeds[0]?.title).toBe(`⏳ ✅ ${slug} resolved No — pending`);
  expect(bot.db.prepare('SELECT status FROM settlements ORDER BY id').all()).toEqual([{ status: 'superseded' }, { status: 'pending' }]);

  const bobBefore = bot.balance('bob');
  const uphold = await command('moderator', 'mod', 'uphold', [option.string('market', slug)]);
  expect(uphold.message.embeds?.[0]?.title).toBe(`Uphold ${slug} resolved No and pay it out now?`);
  const upheld = await bot.confirm(uphold.interaction, 'moderator');
  expect(upheld.embeds[0]?.title).toBe(`⚖️ ${slug} resolved No: upheld by a moderator, the money moved`);
  expect(bot.balance('bob')).toBe(bobBefore + shares('bob', 1));
  expect(bot.ledgerCount('payout')).toBe(1);
  // Nothing is left for the job: no second payment, no second announcement.
  expect(await runJobAt(48)).toEqual([]);
  expect(bot.ledgerCount('payout')).toBe(1);
  const late = await command('alice', 'market', 'dispute', [option.string('market', slug), option.string('reason', 'Too late')]);
  expect(late.message.content).toContain('is settled and its dispute window is over');
});

it('a moderator holding shares is warned on the confirmation, and refused where the server requires recusal', async () => {
  const { slug } = await marketWithTraders();
  await command('moderator', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 10)]);
  const warned = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);
  expect(warned.message.embeds?.[0]?.description).toContain('⚠️ **You hold shares of this market**');

  const set = await command('admin', 'mod', 'settings', [option.string('recusal_required', 'on')]);
  expect(set.message.content).toBe('✅ Changed 1 setting; in force now.');
  const refused = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);
  expect((refused.message.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(refused.message.content).toBe(
    `⚠️ You hold shares of \`${slug}\`, and this server requires a moderator without a position to resolve or cancel a market: ask another moderator (or sell your shares first).`,
  );
  expect(bot.db.prepare('SELECT COUNT(*) AS n FROM settlements').get()).toEqual({ n: 0 });

  const byAdmin = await command('admin', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);
  expect(byAdmin.message.embeds?.[0]?.description).not.toContain('You hold shares');
  const pending = await bot.confirm(byAdmin.interaction, 'admin');
  expect(pending.embeds[0]?.fields?.find((f) => f.name === 'Decided by')?.value).toBe(`<@${bot.userId('admin')}> (held no position)`);
});

it('a two-moderator quorum: a big market resolves only once a second, different moderator confirms it', async () => {
  const { slug } = await marketWithTraders();
  const set = await command('admin', 'mod', 'settings', [option.string('quorum_pool', '200')]);
  expect(set.message.content).toBe('✅ Changed 1 setting; in force now.');
  const resolve = (user: string) =>
    command(user, 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);

  const first = await resolve('moderator');
  expect(first.message.embeds?.[0]?.description).toContain('The pool is above the quorum: a second moderator must then resolve it the same way');
  const held = await bot.confirm(first.interaction, 'moderator');
  expect(held.embeds[0]?.fields?.find((f) => f.name === 'Quorum')?.value).toContain('Awaits a second moderator');
  const alone = await resolve('moderator');
  expect(alone.message.content).toContain('a second, different moderator must confirm this resolution: you already decided it.');
  // However long it waits, one moderator's word pays nothing.
  expect(await runJobAt(100)).toEqual([]);
  expect(bot.ledgerCount('payout')).toBe(0);

  const second = await resolve('admin');
  expect(second.message.embeds?.[0]?.description).toContain(`This confirms <@${bot.userId('moderator')}>'s pending decision as the second moderator.`);
  const confirmed = await bot.confirm(second.interaction, 'admin');
  expect(confirmed.embeds[0]?.fields?.find((f) => f.name === 'Confirmed by')?.value).toBe(`<@${bot.userId('admin')}>`);
  expect(confirmed.embeds[0]?.fields?.find((f) => f.name === 'Dispute window')?.value).toContain('Money moves');
  const [applied] = await runJobAt(24);
  expect(applied?.record).toMatchObject({ decidedBy: bot.userId('moderator'), secondedBy: bot.userId('admin'), status: 'applied' });
  expect(bot.ledgerCount('payout')).toBe(1);
});

/** The market's storage key and its Yes price right after `username`'s trade in it, from the ledger. */
function afterTradeOf(slug: string, username: string): { key: string; yes: number } {
  const { id } = bot.db.prepare('SELECT id FROM markets WHERE slug = ?').get(slug) as { id: string };
  const row = bot.db.prepare(`SELECT prices_after FROM ledger WHERE market_id = ? AND holder = ? AND reason = 'buy'`).get(id, bot.userId(username)) as { prices_after: string };
  return { key: id, yes: (JSON.parse(row.prices_after) as number[])[0] ?? Number.NaN };
}

it('a resolution to a probability pays each share its percent, rounded down per holder with the rest to the mint, and scores o = p', async () => {
  const { slug, cardId } = await marketWithTraders();
  const aliceShares = shares('alice', 0);
  const bobShares = shares('bob', 1);
  // 67% Yes: alice's Yes shares pay 0.67 a share, bob's No shares 0.33, each rounded down to a milli-credit.
  const alicePaid = Math.floor((aliceShares * 67) / 100);
  const bobPaid = Math.floor((bobShares * 33) / 100);
  expect(aliceShares * 67 - alicePaid * 100 + (bobShares * 33 - bobPaid * 100)).toBeGreaterThan(0);
  const formatted = (millis: number) => (millis / 1000).toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2, roundingMode: 'floor' } as Intl.NumberFormatOptions);

  const asked = await command('moderator', 'mod', 'resolve', [
    option.string('market', slug),
    option.string('outcome', 'Yes'),
    option.string('evidence', 'https://example.org/partly'),
    option.integer('probability', 67),
  ]);
  expect(asked.message.embeds?.[0]?.title).toBe(`Resolve ${slug} to Yes 67% · No 33%?`);
  expect(asked.message.embeds?.[0]?.description).toContain(`This pays **${formatted(alicePaid + bobPaid)} credits** to 2 holder(s).`);
  const pending = await bot.confirm(asked.interaction, 'moderator');
  expect(pending.embeds[0]?.title).toBe(`⏳ ✅ ${slug} resolved to Yes 67% · No 33% — pending`);
  expect(pending.embeds[0]?.fields?.[0]?.value).toBe(`<@${bot.userId('alice')}> ${formatted(alicePaid)}\n<@${bot.userId('bob')}> ${formatted(bobPaid)}`);
  await bot.fake.waitUntil(() => bot.fake.message(cardId)?.embeds[0]?.fields?.find((f) => f.name === 'Pending resolution')?.value.includes('resolved to Yes 67% · No 33%') === true);
  expect(bot.ledgerCount('payout')).toBe(0);

  const { key, yes: aliceYes } = afterTradeOf(slug, 'alice');
  const pool = () => (bot.db.prepare('SELECT balance FROM accounts WHERE id = ?').get(`market:${key}`) as { balance: number }).balance;
  const poolBefore = pool();
  const aliceBefore = bot.balance('alice');
  const bobBefore = bot.balance('bob');
  const [applied] = await runJobAt(24);
  expect(applied?.record.status).toBe('applied');
  expect(bot.balance('alice')).toBe(aliceBefore + alicePaid);
  expect(bot.balance('bob')).toBe(bobBefore + bobPaid);
  // Everything the pool held and did not pay, the rounding included, goes back to the mint.
  expect(pool()).toBe(0);
  expect(bot.db.prepare(`SELECT amount FROM ledger WHERE market_id = ? AND reason = 'settle'`).all(key)).toEqual([{ amount: poolBefore - alicePaid - bobPaid }]);
  expect(verify(bot.db).problems).toEqual([]);

  // Each trader's one forecast is the price their trade left, scored against o = (0.67, 0.33).
  const bobYes = afterTradeOf(slug, 'bob').yes;
  const scoreOf = (username: string) =>
    bot.db.prepare('SELECT brier, log_score FROM member_market_scores WHERE market_id = ? AND user_id = ?').get(key, bot.userId(username)) as { brier: number; log_score: number };
  expect(scoreOf('alice').brier).toBeCloseTo((aliceYes - 0.67) ** 2, 12);
  expect(scoreOf('alice').log_score).toBeCloseTo(0.67 * Math.log(aliceYes) + 0.33 * Math.log(1 - aliceYes), 12);
  expect(scoreOf('bob').brier).toBeCloseTo((bobYes - 0.67) ** 2, 12);
  expect(scoreOf('bob').log_score).toBeCloseTo(0.67 * Math.log(bobYes) + 0.33 * Math.log(1 - bobYes), 12);
  await bot.fake.waitUntil(() => bot.fake.message(cardId)?.embeds[0]?.fields?.find((f) => f.name === 'Resolution')?.value.includes('Resolved **to Yes 67% · No 33%**') === true);
});

it('a multi-outcome market resolves to a probability per outcome; strings that do not add up are refused in words', async () => {
  const opened = await command('alice', 'market', 'open', [
    option.string('question', 'Which lab ships a frontier model first?'),
    option.string('criteria', 'As judged.'),
    option.string('closes', '2027-12-31'),
    option.string('outcomes', 'Anthropic, DeepMind, OpenAI'),
  ]);
  const slug = marketKeyOnCard(opened.message.embeds?.[0]);
  await command('alice', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Anthropic'), option.integer('amount', 50)]);
  await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'OpenAI'), option.integer('amount', 50)]);
  const resolve = (probabilities: string) =>
    command('moderator', 'mod', 'resolve', [
      option.string('market', slug),
      option.string('outcome', 'Anthropic'),
      option.string('evidence', 'https://example.org/tie'),
      option.string('probabilities', probabilities),
    ]);

  for (const [text, refusal] of [
    ['Anthropic=50,DeepMind=30,OpenAI=30', '⚠️ The probabilities add up to 110%, not 100%.'],
    ['Anthropic=50,Meta=50', `⚠️ \`Meta\` is not an outcome of \`${slug}\`; choose one of: Anthropic, DeepMind, OpenAI.`],
    ['Anthropic=half,OpenAI=50', '⚠️ The probability of Anthropic must be a whole percent from 0 to 100, not "half".'],
  ] as const) {
    const refused = await resolve(text);
    expect((refused.message.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(refused.message.content).toBe(refusal);
  }
  const binary = await command('moderator', 'mod', 'resolve', [
    option.string('market', slug),
    option.string('outcome', 'Anthropic'),
    option.string('evidence', 'https://example.org/tie'),
    option.integer('probability', 50),
  ]);
  expect(binary.message.content).toContain('has 3 outcomes: give a probability per outcome with `probabilities`, like "Anthropic=34,DeepMind=33,OpenAI=33"');
  expect(bot.db.prepare('SELECT COUNT(*) AS n FROM settlements').get()).toEqual({ n: 0 });

  const asked = await resolve('Anthropic=50, DeepMind=30, OpenAI=20');
  expect(asked.message.embeds?.[0]?.title).toBe(`Resolve ${slug} to Anthropic 50% · DeepMind 30% · OpenAI 20%?`);
  const pending = await bot.confirm(asked.interaction, 'moderator');
  expect(pending.embeds[0]?.title).toBe(`⏳ ✅ ${slug} resolved to Anthropic 50% · DeepMind 30% · OpenAI 20% — pending`);
  const aliceBefore = bot.balance('alice');
  const bobBefore = bot.balance('bob');
  const upheld = await bot.confirm((await command('moderator', 'mod', 'uphold', [option.string('market', slug)])).interaction, 'moderator');
  expect(upheld.embeds[0]?.title).toBe(`⚖️ ${slug} resolved to Anthropic 50% · DeepMind 30% · OpenAI 20%: upheld by a moderator, the money moved`);
  expect(bot.balance('alice')).toBe(aliceBefore + Math.floor((shares('alice', 0) * 50) / 100));
  expect(bot.balance('bob')).toBe(bobBefore + Math.floor((shares('bob', 2) * 20) / 100));
  expect(verify(bot.db).problems).toEqual([]);
});

it('a moderator who traded the market within the recusal days counts as holding a position, even after selling', async () => {
  const { slug } = await marketWithTraders();
  await command('moderator', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 10)]);
  await command('moderator', 'sell', undefined, [option.string('market', slug), option.string('outcome', 'Yes')]);
  expect(shares('moderator', 0)).toBe(0);
  const resolve = () => command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')]);

  // Only shares held now count by default: a moderator who sold holds no position.
  expect((await resolve()).message.embeds?.[0]?.description).not.toContain('⚠️');
  expect((await command('admin', 'mod', 'settings', [option.string('recusal_days', '7')])).message.content).toBe('✅ Changed 1 setting; in force now.');
  const warned = await resolve();
  expect(warned.message.embeds?.[0]?.description).toContain(
    '⚠️ **You traded this market within the last 7 day(s), which this server counts as holding a position**: the settlement records that its decider held a position',
  );
  await command('admin', 'mod', 'settings', [option.string('recusal_required', 'on')]);
  const refused = await resolve();
  expect((refused.message.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  expect(refused.message.content).toBe(
    `⚠️ You traded \`${slug}\` within the last 7 day(s), which this server counts as holding a position, and this server requires a moderator without a position to resolve or cancel a market: ask another moderator (or wait until your last trade is older than that).`,
  );
  expect(bot.db.prepare('SELECT COUNT(*) AS n FROM settlements').get()).toEqual({ n: 0 });
});

/** Presses Confirm on a command's confirmation, without waiting for what it posts (which may be a refusal). */
function pressConfirm(asked: Awaited<ReturnType<typeof command>>, user: string): void {
  const { callback, interaction } = asked;
  const row = 'data' in callback && callback.data && 'components' in callback.data ? callback.data.components?.[0] : undefined;
  const confirm = row && 'components' in row ? row.components[0] : undefined;
  if (!confirm || !('custom_id' in confirm)) throw new Error(`/${interaction.data.name} asked for no confirmation`);
  bot.fake.buttonPress({ customId: confirm.custom_id, user, channel: interaction.channel_id, messageId: bot.fake.originalResponse(interaction.id)?.id ?? '' });
}

it('an uphold confirmed after the decision it showed was replaced pays nothing, and says why', async () => {
  const { slug } = await marketWithTraders();
  const resolve = (outcome: string) =>
    command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', outcome), option.string('evidence', `https://example.org/${outcome}`)]);
  await bot.confirm((await resolve('Yes')).interaction, 'moderator');
  const uphold = await command('admin', 'mod', 'uphold', [option.string('market', slug)]);
  expect(uphold.message.embeds?.[0]?.title).toBe(`Uphold ${slug} resolved Yes and pay it out now?`);
  // Before the admin confirms, the moderator replaces the decision.
  await bot.confirm((await resolve('No')).interaction, 'moderator');
  const balances = () => [bot.balance('alice'), bot.balance('bob')];
  const before = balances();

  pressConfirm(uphold, 'admin');
  await bot.fake.waitUntil(() => (bot.fake.originalResponse(uphold.interaction.id)?.content ?? '').includes('changed after you asked'), {
    description: 'the confirmation says the decision changed',
  });
  expect(balances()).toEqual(before);
  expect(bot.db.prepare("SELECT status, outcome FROM settlements WHERE status <> 'superseded'").all()).toEqual([{ status: 'pending', outcome: 1 }]);
});

it('a resolution confirmed after another moderator filed a decision it did not show replaces nothing, and says why', async () => {
  const { slug } = await marketWithTraders();
  const asked = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/Yes')]);
  // While the first moderator's confirmation is open, another files a decision of their own.
  await bot.confirm((await command('admin', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'No'), option.string('evidence', 'https://example.org/No')])).interaction, 'admin');
  pressConfirm(asked, 'moderator');
  await bot.fake.waitUntil(() => (bot.fake.originalResponse(asked.interaction.id)?.content ?? '').includes('Another moderator decided'), {
    description: 'the confirmation says another decision came first',
  });
  expect(bot.db.prepare("SELECT status, outcome FROM settlements WHERE status <> 'superseded'").all()).toEqual([{ status: 'pending', outcome: 1 }]);
});

/**
 * A conditional on `No` of a market with traders, bought by carol for 40, and its condition resolved Yes: the
 * conditional is cancelled when the condition's window ends.
 */
async function conditionalOfResolvedCondition(): Promise<{ slug: string; conditional: string }> {
  const { slug } = await marketWithTraders();
  const opened = await command('alice', 'market', 'open', [
    option.string('question', 'If ROME replicates, will a second lab adopt it by 2027?'),
    option.string('criteria', 'YES if a second lab announces it.'),
    option.string('closes', '2027-12-31'),
    option.string('if', `${slug}=No`),
  ]);
  const conditional = marketKeyOnCard(opened.message.embeds?.[0]);
  await command('carol', 'bet', undefined, [option.string('market', conditional), option.string('outcome', 'Yes'), option.integer('amount', 40)]);
  await bot.confirm(
    (await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replicated')])).interaction,
    'moderator',
  );
  return { slug, conditional };
}

it("a conditional its condition's settlement cancels when the window ends is posted to the moderators and told to its holders in its own channel", async () => {
  const general = bot.fake.guild.channel('general').id;
  const set = await command('admin', 'mod', 'settings', [option.string('moderator_channel', `<#${general}>`)]);
  expect(set.message.content).toBe('✅ Changed 1 setting; in force now.');
  const { slug, conditional } = await conditionalOfResolvedCondition();

  const applied = await runJobAt(24);
  expect(applied.map((settlement) => settlement.market.slug).sort()).toEqual([conditional, slug].sort());
  const headline = `↩️ ${conditional} cancelled — its condition did not hold`;
  await bot.fake.waitUntil(() => titlesIn('general').includes(headline) && titlesIn('markets').includes(headline), {
    description: "the cancelled conditional is posted to the moderators and in its own channel",
  });
  const told = bot.fake.messagesIn('markets').filter((message) => message.embeds[0]?.title === headline);
  expect(told).toHaveLength(1);
  expect(told[0]?.embeds[0]?.fields?.find((field) => field.name === 'Refunds')?.value).toBe(`<@${bot.userId('carol')}> 40`);
  expect(titlesIn('general').filter((title) => title === headline)).toHaveLength(1);
  expect(verify(bot.db).problems).toEqual([]);
});

it('without a moderator channel, that conditional is posted once, in its own channel', async () => {
  const { slug, conditional } = await conditionalOfResolvedCondition();
  await runJobAt(24);
  const headline = `↩️ ${conditional} cancelled — its condition did not hold`;
  const settled = `⚖️ ${slug} resolved Yes: the dispute window ended and the money moved`;
  await bot.fake.waitUntil(() => titlesIn('markets').includes(headline) && titlesIn('markets').includes(settled));
  expect(titlesIn('markets').filter((title) => title === headline)).toHaveLength(1);
  expect(verify(bot.db).problems).toEqual([]);
});

it("while the moderators' channel refuses posts, the conditional's holders are not told again at every run", async () => {
  const general = bot.fake.guild.channel('general').id;
  await command('admin', 'mod', 'settings', [option.string('moderator_channel', `<#${general}>`)]);
  const { conditional } = await conditionalOfResolvedCondition();
  const lift = bot.fake.failRequests({ method: 'POST', path: new RegExp(`^/channels/${general}/messages$`) }, { status: 403, code: 50013, message: 'Missing Permissions' });
  for (const hours of [24, 25, 26]) await runJobAt(hours);
  const headline = `↩️ ${conditional} cancelled — its condition did not hold`;
  expect(titlesIn('markets').filter((title) => title === headline)).toEqual([]);
  lift();
  await runJobAt(27);
  await bot.fake.waitUntil(() => titlesIn('markets').includes(headline) && titlesIn('general').includes(headline), { description: 'both told once the channel works' });
  expect(titlesIn('markets').filter((title) => title === headline)).toHaveLength(1);
  expect(titlesIn('general').filter((title) => title === headline)).toHaveLength(1);
});
