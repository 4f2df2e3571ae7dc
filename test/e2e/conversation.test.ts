import { join } from 'node:path';
import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { APIEmbed, Guild } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { deliverConversation } from '../../bot/jobs.ts';
import { formatCredits } from '../../markets/money.ts';
import { type HeldRequests, option, type RecordedCallback, type RequestMatch } from '../fake-discord/index.ts';
import { CRUX_GUILD, cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord, startCruxOnFakeDiscord } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';
import { folderForEachTest } from '../support/folder.ts';

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started));

type Option = ReturnType<typeof option.string>;

async function command(user: string, name: string, subcommand: string | undefined, options: Option[], on: CruxOnFakeDiscord = bot) {
  const interaction = on.fake.slashCommand({ name, ...(subcommand ? { subcommand } : {}), user, channel: 'markets', options });
  const callback = await on.fake.waitForCallback(interaction.id);
  return { interaction, callback };
}

function dataOf(callback: RecordedCallback): { embeds?: APIEmbed[] | null; flags?: number | null; content?: string | null } {
  if (!('data' in callback) || callback.data === undefined) return {};
  const data = callback.data;
  return 'custom_id' in data || 'choices' in data ? {} : data;
}

/** Opens a market and waits for its thread; returns the card's message id and the thread's id. */
async function openWithThread(on: CruxOnFakeDiscord = bot) {
  const opened = await command('alice', 'market', 'open', [
    option.string('question', 'Will a replication of ROME be published by 2027?'),
    option.string('criteria', 'YES if an independent team publishes one.'),
    option.string('closes', '2027-12-31'),
  ], on);
  const cardId = on.fake.originalResponse(opened.interaction.id)?.id ?? '';
  await on.fake.waitUntil(() => on.fake.threadOf(cardId) !== undefined, { description: 'the card gets a thread' });
  const threadId = on.fake.threadOf(cardId)?.id ?? '';
  const slug = marketKeyOnCard(dataOf(opened.callback).embeds?.[0]);
  return { cardId, threadId, slug };
}

const threadText = (threadId: string, on: CruxOnFakeDiscord = bot) => on.fake.messagesIn(threadId).map((m) => m.content).join('\n');

describe('a market’s thread', () => {
  it('opens on the card, which links to it, and carries trades, evidence, an edit and the resolution', async () => {
    const { cardId, threadId, slug } = await openWithThread();
    await bot.fake.waitUntil(() => JSON.stringify(bot.fake.message(cardId)?.embeds ?? []).includes(`<#${threadId}>`), {
      description: 'the card links to its thread',
    });

    await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 20)]);
    await command('carol', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'No'), option.integer('amount', 5)]);
    await bot.fake.waitUntil(() => (threadText(threadId).match(/💱/g) ?? []).length === 2, { description: 'both trades in the thread' });
    expect(threadText(threadId)).toContain(`<@${bot.userId('bob')}> bought`);

    const added = await command('carol', 'evidence', 'add', [
      option.string('market', slug),
      option.string('url', 'https://example.org/preprint'),
      option.string('stance', 'against'),
      option.string('note', 'no effect at @everyone scale'),
    ]);
    const answer = dataOf(added.callback);
    expect((answer.flags ?? 0) & MessageFlags.SuppressEmbeds).toBe(MessageFlags.SuppressEmbeds);
    const sent = bot.fake.requests.find((r) => r.path.startsWith(`/interactions/${added.interaction.id}/`));
    expect(JSON.stringify(sent?.body)).toContain('"allowed_mentions":{"parse":[]}');
    expect(answer.content).toContain('<https://example.org/preprint>');
    await bot.fake.waitUntil(() => threadText(threadId).includes('📎 #1'), { description: 'the evidence in the thread' });
    const posts = bot.fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${threadId}/messages`);
    expect(posts.every((r) => JSON.stringify(r.body).includes('"allowed_mentions":{"parse":[]}'))).toBe(true);
    await bot.fake.waitUntil(() => JSON.stringify(bot.fake.message(cardId)?.embeds ?? []).includes('0 for · 1 against'), {
      description: 'the card counts the evidence',
    });

    const edited = await command('moderator', 'market', 'edit', [
      option.string('market', slug),
      option.string('criteria', 'YES if an independent team publishes one in a journal.'),
      option.string('reason', 'clarity'),
    ]);
    expect(dataOf(edited.callback).content).toContain('changed the criteria');
    await bot.fake.waitUntil(() => threadText(threadId).includes('✏️'), { description: 'the edit in the thread' });
    expect(threadText(threadId)).toContain('in a journal.” (clarity)');
    await bot.fake.waitUntil(() => bot.fake.message(cardId)?.embeds[0]?.footer?.text?.includes('edited') === true, { description: 'the card says edited' });
    // Bob and carol traded before the edit: each is told by DM.
    await bot.fake.waitUntil(() => bot.fake.directMessagesTo('bob').length === 1 && bot.fake.directMessagesTo('carol').length === 1, {
      description: 'the holders are told of the edit',
    });

    const resolve = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/done')]);
    await bot.confirm(resolve.interaction, 'moderator');
    await bot.fake.waitUntil(() => threadText(threadId).includes('✅ Resolved **Yes**'), { description: 'the resolution in the thread' });
    // Each line was posted once.
    expect((threadText(threadId).match(/💱/g) ?? []).length).toBe(2);
  });
});

const WITHOUT_THREADS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands;

describe('without the permission to open threads', () => {
  it('tells the moderators once and carries on', async () => {
    const noThreads = await startCruxOnFakeDiscord({}, { ...CRUX_GUILD, botPermissions: WITHOUT_THREADS });
    try {
      for (const question of ['Will A happen by 2027?', 'Will B happen by 2027?']) {
        const opened = await command('alice', 'market', 'open', [option.string('question', question), option.string('criteria', 'If it does.'), option.string('closes', '2027-12-31')], noThreads);
        expect(dataOf(opened.callback).embeds?.[0]?.title).toBe(question);
        await noThreads.fake.waitUntil(() => noThreads.crux.app.notifications.thread(marketKeyOnCard(dataOf(opened.callback).embeds?.[0])) === null, {
          description: 'the refusal is recorded',
        });
      }
      const notes = noThreads.fake.messagesIn('markets').filter((m) => m.content.includes('could not open a thread'));
      expect(notes).toHaveLength(1);
      const bet = await command('bob', 'bet', undefined, [option.string('market', 'happen-2027'), option.string('outcome', 'Yes'), option.integer('amount', 5)], noThreads);
      expect(dataOf(bet.callback).embeds?.[0]?.title).toMatch(/^bob bought/);
      expect(noThreads.fake.unhandledRequests).toEqual([]);
    } finally {
      await noThreads.close();
    }
  });
});

describe('notifications by DM', () => {
  it('tells a holder of the resolution with their payout, spares one who turned it off, copes with closed DMs, and sends nothing twice across a restart', async () => {
    const { cardId, slug } = await openWithThread();
    await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 30)]);
    await command('carol', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'No'), option.integer('amount', 10)]);
    const off = await command('carol', 'notify', undefined, [option.boolean('all', false)]);
    expect(dataOf(off.callback).embeds?.[0]?.description).toContain('🔕 off · `resolved`');
    await command('alice', 'market', 'follow', [option.string('market', slug)]);
    bot.fake.closeDirectMessages('alice');

    const resolve = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/done')]);
    await bot.confirm(resolve.interaction, 'moderator');
    await bot.fake.waitUntil(() => bot.fake.directMessagesTo('bob').length === 1, { description: 'bob is told' });
    const payout = bot.db
      .prepare(`SELECT amount FROM ledger WHERE reason = 'payout' AND to_account = ?`)
      .get(`user:${bot.fake.guild.id}:${bot.userId('bob')}`) as { amount: number };
    const dm = bot.fake.directMessagesTo('bob')[0]?.content ?? '';
    expect(dm).toContain('✅ Resolved **Yes**');
    expect(dm).toContain(`you were paid ${formatCredits(payout.amount)} credits`);
    expect(dm).toContain('/notify');
    // A member of many servers is told which one, and can jump to the card.
    const card = bot.fake.message(cardId);
    expect(dm.split('\n')[0]).toContain(`in **${bot.fake.guild.name}** · [the card](https://discord.com/channels/${bot.fake.guild.id}/${card?.channel_id}/${cardId})`);
    // Alice's DMs are closed: the send was refused (50007) and nothing was logged.
    await bot.fake.waitForRequest((r) => r.status === 403 && r.method === 'POST' && r.path.startsWith('/channels/'));
    expect(bot.logs.filter((line) => line.includes('direct message'))).toEqual([]);

    await bot.restart();
    await deliverConversation(bot.crux.app, bot.crux.jobHooks);
    expect(bot.fake.directMessagesTo('bob')).toHaveLength(1);
    expect(bot.fake.directMessagesTo('carol')).toEqual([]);
    expect(bot.fake.directMessagesTo('alice')).toEqual([]);
  });
});

describe('reasons for big moves', () => {
  it('asks only the trader of a big move, privately, and shows the reason in the thread beside the move', async () => {
    const { threadId, slug } = await openWithThread();
    const small = await command('carol', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'No'), option.integer('amount', 5)]);
    const big = await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 60)]);
    await bot.fake.waitUntil(() => bot.fake.followUps(big.interaction.id).length === 1, { description: 'bob is asked why' });
    const [asked] = bot.fake.followUps(big.interaction.id);
    expect((asked?.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(bot.fake.followUps(small.interaction.id)).toEqual([]);
    const row = asked?.components?.[0];
    const button = row && 'components' in row ? row.components[0] : undefined;
    const customId = button && 'custom_id' in button ? button.custom_id : '';
    expect(customId).toBe(`crux:reason:${slug}:${big.interaction.id}`);

    const pressed = bot.fake.buttonPress({ customId, user: 'bob', messageId: asked?.id ?? '' });
    const form = await bot.fake.waitForCallback(pressed.id);
    const formId = 'data' in form && form.data !== undefined && 'custom_id' in form.data ? form.data.custom_id : '';
    expect(formId).toBe(`crux:reasonform:${slug}:${big.interaction.id}`);

    const intruder = bot.fake.modalSubmit({ customId: formId, user: 'carol', fields: { reason: 'I speak for bob' } });
    expect(dataOf(await bot.fake.waitForCallback(intruder.id)).content).toContain('Only the trader');
    const submitted = bot.fake.modalSubmit({ customId: formId, user: 'bob', fields: { reason: 'The lab confirmed it on their blog' } });
    expect(dataOf(await bot.fake.waitForCallback(submitted.id)).content).toContain('your reason is in the thread');
    await bot.fake.waitUntil(() => threadText(threadId).includes('💬'), { description: 'the reason in the thread' });
    const lines = threadText(threadId).split('\n');
    const move = lines.findIndex((line) => line.startsWith(`💱 <@${bot.userId('bob')}>`));
    const reason = lines.findIndex((line) => line.includes('The lab confirmed it on their blog'));
    expect(reason).toBeGreaterThan(move);
    expect(lines[reason]).toMatch(/on moving Yes [\d.]+% → [\d.]+%/);
    const again = bot.fake.modalSubmit({ customId: formId, user: 'bob', fields: { reason: 'twice' } });
    expect(dataOf(await bot.fake.waitForCallback(again.id)).content).toContain('already gave');
  });
});

describe('quiet channel mode', () => {
  it('keeps only the card in the channel: trade receipts are private and the trade is in the thread', async () => {
    const set = await command('moderator', 'mod', 'settings', [option.string('quiet_channel', 'on')]);
    expect(JSON.stringify(dataOf(set.callback).embeds)).toContain('Quiet channel');
    const { threadId, slug } = await openWithThread();
    const bet = await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 5)]);
    expect((dataOf(bet.callback).flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    await bot.fake.waitUntil(() => threadText(threadId).includes(`💱 <@${bot.userId('bob')}>`), { description: 'the trade in the thread' });
  });
});

describe('a market posted before threads were on', () => {
  it('gets its thread from the delivery job once threads are turned on and something happens', async () => {
    await command('moderator', 'mod', 'settings', [option.string('threads', 'off')]);
    const opened = await command('alice', 'market', 'open', [option.string('question', 'Will C happen by 2027?'), option.string('criteria', 'If it does.'), option.string('closes', '2027-12-31')]);
    const cardId = bot.fake.originalResponse(opened.interaction.id)?.id ?? '';
    await bot.fake.waitUntil(() => (bot.db.prepare('SELECT message_id FROM markets WHERE slug = ?').get('c-happen-2027') as { message_id: string | null }).message_id === cardId, {
      description: 'the card is recorded',
    });
    expect(bot.fake.threadOf(cardId)).toBeUndefined();
    await command('moderator', 'mod', 'settings', [option.string('threads', 'on')]);
    await command('bob', 'bet', undefined, [option.string('market', 'c-happen-2027'), option.string('outcome', 'Yes'), option.integer('amount', 5)]);
    await deliverConversation(bot.crux.app, bot.crux.jobHooks);
    const thread = bot.fake.threadOf(cardId);
    expect(thread).toBeDefined();
    await bot.fake.waitUntil(() => threadText(thread?.id ?? '').includes(`💱 <@${bot.userId('bob')}>`), { description: 'the trade in the new thread' });
  });
});

/** Holders of one market who bet `amount` each, so resolving it owes each of them a DM at the same moment. */
async function heldByThree(slug: string) {
  for (const [user, outcome] of [['alice', 'Yes'], ['bob', 'Yes'], ['carol', 'No']] as const) {
    await command(user, 'bet', undefined, [option.string('market', slug), option.string('outcome', outcome), option.integer('amount', 5)]);
  }
}

async function resolveYes(slug: string, on: CruxOnFakeDiscord = bot) {
  const resolve = await command('moderator', 'mod', 'resolve', [option.string('market', slug), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/done')], on);
  await on.confirm(resolve.interaction, 'moderator');
}

/** Posts to these channels. */
const postsTo = (...channelIds: string[]): RequestMatch => ({ method: 'POST', path: new RegExp(`/channels/(${channelIds.join('|')})/messages`) });

/** Sends to these members' DM channels. */
const dmSends = (...users: string[]): RequestMatch => postsTo(...users.map((user) => bot.fake.directMessageChannelOf(user)));

const dmStates = () =>
  Object.fromEntries((bot.db.prepare(`SELECT state, COUNT(*) AS n FROM outbox WHERE target = 'dm' GROUP BY state`).all() as { state: string; n: number }[]).map((row) => [row.state, row.n]));

/**
 * Resolves `slug`, held by three, and while the first DM channel opens takes the server out of this client's cache,
 * as for a server of another shard, until every DM is sent. `meanwhile` runs just before the server leaves the cache.
 */
async function resolveWithServerUncached(slug: string, meanwhile: (guild: Guild) => void = () => {}): Promise<Guild> {
  await heldByThree(slug);
  // Held while each DM channel opens, so the server can leave this client's cache before any DM is written.
  const held = bot.fake.holdRequests({ method: 'POST', path: /^\/users\/@me\/channels$/ });
  await resolveYes(slug);
  await bot.fake.waitUntil(() => held.waiting === 1, { description: 'the first DM channel is being opened' });
  const guild = bot.client.guilds.cache.get(bot.fake.guild.id);
  if (guild === undefined) throw new Error('the guild is not in the cache');
  meanwhile(guild);
  bot.client.guilds.cache.delete(guild.id);
  try {
    held.release();
    await bot.fake.waitUntil(() => dmStates().sent === 3, { description: 'every DM is sent' });
  } finally {
    bot.client.guilds.cache.set(guild.id, guild);
  }
  return guild;
}

const guildReads = (guild: Guild) => bot.fake.requests.filter((request) => request.method === 'GET' && request.path === `/guilds/${guild.id}`);

describe('a DM about a server this process does not hold', () => {
  it("asks Discord for the server's name once, as the jobs' process does for another shard's servers", async () => {
    const { slug } = await openWithThread();
    const guild = await resolveWithServerUncached(slug);
    for (const user of ['alice', 'bob', 'carol']) expect(bot.fake.directMessagesTo(user)[0]?.content.split('\n')[0]).toContain(`in **${guild.name}**`);
    expect(guildReads(guild)).toHaveLength(1);
  });

  it('sends the DMs without the name when Discord will not give it, asking and logging once for the pass', async () => {
    const { slug } = await openWithThread();
    const guild = await resolveWithServerUncached(slug, (uncached) =>
      bot.fake.failRequests({ method: 'GET', path: new RegExp(`^/guilds/${uncached.id}$`) }, { status: 403, code: 50001, message: 'Missing Access' }),
    );
    for (const user of ['alice', 'bob', 'carol']) {
      const firstLine = bot.fake.directMessagesTo(user)[0]?.content.split('\n')[0] ?? '';
      expect(firstLine).not.toContain(guild.name);
      expect(firstLine).toContain('[the card](');
    }
    expect(guildReads(guild)).toHaveLength(1);
    expect(bot.logs.filter((line) => line.includes('could not read a server name for a DM'))).toHaveLength(1);
  });
});

describe('a DM pass cut short', () => {
  it('claims each DM just before sending it, so a crash mid-pass loses at most the one in flight', async () => {
    const { slug } = await openWithThread();
    await heldByThree(slug);
    const held = bot.fake.holdRequests(dmSends('alice', 'bob', 'carol'));
    await resolveYes(slug);
    await bot.fake.waitUntil(() => held.waiting === 1, { description: 'the first DM is on its way' });
    try {
      // What a crash at this moment leaves on disk: the DM in flight claimed, the two others still waiting to be sent.
      expect(dmStates()).toEqual({ sending: 1, pending: 2 });
    } finally {
      held.release();
    }
    await bot.fake.waitUntil(() => dmStates().sent === 3, { description: 'every DM is sent' });
    expect(['alice', 'bob', 'carol'].map((user) => bot.fake.directMessagesTo(user).length)).toEqual([1, 1, 1]);
  });
});

/** The outbox's DM to a member and the market's settlement line, as the senders left them. */
function settlementEntries(on: CruxOnFakeDiscord, userId: string) {
  return on.db
    .prepare(
      `SELECT target, state, attempts, due_at AS dueAt FROM outbox WHERE (target = 'dm' AND user_id = ?) OR (target = 'thread' AND notices LIKE '%"settled"%') ORDER BY target`,
    )
    .all(userId) as { target: string; state: string; attempts: number; dueAt: number }[];
}

describe('a send Discord leaves unanswered', () => {
  /** Crux on a clock the test moves, with a market held by bob (whose trade is in the thread). */
  async function timedMarket() {
    const clock = { now: Date.now() };
    const timed = await startCruxOnFakeDiscord({}, CRUX_GUILD, { now: () => clock.now });
    const { threadId, slug } = await openWithThread(timed);
    await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 20)], timed);
    await timed.fake.waitUntil(() => threadText(threadId, timed).includes('💱'), { description: 'the trade in the thread' });
    const failing = postsTo(timed.fake.directMessageChannelOf('bob'), threadId);
    return { timed, clock, threadId, slug, failing };
  }

  it('puts the DM and the thread line back to wait after a 500, and sends each once when Discord answers again', async () => {
    const { timed, clock, threadId, slug, failing } = await timedMarket();
    try {
      const lift = timed.fake.failRequests(failing, { status: 500 });
      await resolveYes(slug, timed);
      const bob = timed.userId('bob');
      await timed.fake.waitUntil(() => settlementEntries(timed, bob).every((entry) => entry.attempts === 1), { description: 'both sends fail once' });
      expect(settlementEntries(timed, bob)).toEqual([
        { target: 'dm', state: 'pending', attempts: 1, dueAt: clock.now + 60_000 },
        { target: 'thread', state: 'pending', attempts: 1, dueAt: clock.now + 60_000 },
      ]);
      expect(timed.fake.directMessagesTo('bob')).toEqual([]);
      expect(timed.logs).toEqual([]);

      lift();
      await deliverConversation(timed.crux.app, timed.crux.jobHooks);
      expect(timed.fake.directMessagesTo('bob')).toEqual([]);
      clock.now += 60_000;
      await deliverConversation(timed.crux.app, timed.crux.jobHooks);
      expect(timed.fake.directMessagesTo('bob').map((dm) => dm.content)).toEqual([expect.stringContaining('✅ Resolved **Yes**')]);
      expect(threadText(threadId, timed).match(/✅ Resolved/g)).toHaveLength(1);
      expect(settlementEntries(timed, bob).map((entry) => entry.state)).toEqual(['sent', 'sent']);
    } finally {
      await timed.close();
    }
  });

  it('gives up after five unanswered sends, with one log line each for the DM and the thread line', async () => {
    const { timed, clock, slug, failing } = await timedMarket();
    try {
      timed.fake.failRequests(failing, { status: 503 });
      await resolveYes(slug, timed);
      const bob = timed.userId('bob');
      await timed.fake.waitUntil(() => settlementEntries(timed, bob).every((entry) => entry.attempts === 1), { description: 'both sends fail once' });
      for (let attempt = 2; attempt <= 5; attempt += 1) {
        clock.now += 60 * 60_000;
        await deliverConversation(timed.crux.app, timed.crux.jobHooks);
      }
      expect(settlementEntries(timed, bob).map((entry) => [entry.state, entry.attempts])).toEqual([
        ['dropped', 4],
        ['dropped', 4],
      ]);
      expect(timed.logs.map((line) => JSON.parse(line).message)).toEqual([
        'thread lines went unanswered too often and were dropped',
        'a direct message went unanswered too often and was dropped',
      ]);
    } finally {
      await timed.close();
    }
  });
});

describe('a thread Discord will not open', () => {
  const threadStarts = () => bot.fake.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages\/\d+\/threads$/.test(r.path));

  it('takes any 4xx as a refusal: the card is answered, moderators are told once, and nothing is asked again', async () => {
    bot.fake.failRequests({ method: 'POST', path: /\/channels\/\d+\/messages\/\d+\/threads/ }, { status: 400, code: 50024, message: 'Cannot execute action on this channel type' });
    const opened = await command('alice', 'market', 'open', [option.string('question', 'Will D happen by 2027?'), option.string('criteria', 'If it does.'), option.string('closes', '2027-12-31')]);
    expect(dataOf(opened.callback).embeds?.[0]?.title).toBe('Will D happen by 2027?');
    const key = marketKeyOnCard(dataOf(opened.callback).embeds?.[0]);
    const told = () => bot.fake.messagesIn('markets').filter((m) => m.content.includes('could not open a thread'));
    await bot.fake.waitUntil(() => told().length > 0, { description: 'the moderators are told' });
    expect(bot.crux.app.notifications.thread(key)).toBeNull();
    expect(told().map((m) => m.content)).toEqual([expect.stringContaining('Cannot execute action on this channel type')]);

    await command('bob', 'bet', undefined, [option.string('market', key), option.string('outcome', 'Yes'), option.integer('amount', 5)]);
    await deliverConversation(bot.crux.app, bot.crux.jobHooks);
    await deliverConversation(bot.crux.app, bot.crux.jobHooks);
    expect(threadStarts()).toHaveLength(1);
    expect(bot.db.prepare(`SELECT state FROM outbox WHERE target = 'thread' AND state <> 'dropped'`).all()).toEqual([]);
    expect(bot.fake.followUps(opened.interaction.id)).toEqual([]);
    expect(bot.logs).toEqual([]);
  });

  it('asks again, without a word, while the server is at its active-thread limit (160006)', async () => {
    bot.fake.failRequests({ method: 'POST', path: /\/channels\/\d+\/messages\/\d+\/threads/ }, { status: 400, code: 160006, message: 'Maximum number of active threads reached' }, 1);
    const opened = await command('alice', 'market', 'open', [option.string('question', 'Will E happen by 2027?'), option.string('criteria', 'If it does.'), option.string('closes', '2027-12-31')]);
    const key = marketKeyOnCard(dataOf(opened.callback).embeds?.[0]);
    await bot.fake.waitUntil(() => threadStarts().length === 1, { description: 'the thread is asked for' });
    expect(bot.crux.app.notifications.thread(key)).toBeUndefined();
    // Threads archive, the limit clears: the next flush opens it and posts what waited.
    await command('bob', 'bet', undefined, [option.string('market', key), option.string('outcome', 'Yes'), option.integer('amount', 5)]);
    await deliverConversation(bot.crux.app, bot.crux.jobHooks);
    const cardId = bot.fake.originalResponse(opened.interaction.id)?.id ?? '';
    const threadId = bot.fake.threadOf(cardId)?.id ?? '';
    expect(bot.crux.app.notifications.thread(key)).toBe(threadId);
    await bot.fake.waitUntil(() => threadText(threadId).includes(`💱 <@${bot.userId('bob')}>`), { description: 'the trade in its thread' });
    expect(bot.fake.messagesIn('markets').filter((m) => m.content.includes('could not open a thread'))).toEqual([]);
    expect(bot.logs).toEqual([]);
  });

  it('finds the thread a crash kept from being recorded (160004) and posts there', async () => {
    const { cardId, threadId, slug } = await openWithThread();
    await bot.fake.waitUntil(() => bot.crux.app.notifications.thread(slug) === threadId, { description: 'the thread is recorded' });
    // What a crash between opening the thread and recording it leaves: a thread on Discord, none in the database.
    bot.db.prepare('DELETE FROM market_threads').run();
    await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 5)]);
    await deliverConversation(bot.crux.app, bot.crux.jobHooks);
    expect(bot.fake.threadOf(cardId)?.id).toBe(threadId);
    expect(bot.crux.app.notifications.thread(slug)).toBe(threadId);
    await bot.fake.waitUntil(() => threadText(threadId).includes(`💱 <@${bot.userId('bob')}>`), { description: 'the trade in the thread it had' });
    expect(threadStarts()).toHaveLength(2);
    expect(bot.logs).toEqual([]);
  });
});

describe('a DM holding more than one message takes', () => {
  /** Bob holds a market, is told of a first edit at once, and of four more (and the settlement) an hour later. */
  async function groupedDm() {
    const clock = { now: Date.now() };
    const timed = await startCruxOnFakeDiscord({}, CRUX_GUILD, { now: () => clock.now });
    const { slug } = await openWithThread(timed);
    await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 20)], timed);
    for (let edit = 1; edit <= 5; edit += 1) {
      const criteria = `Edit ${edit}: YES if ${'an independent team publishes a replication '.repeat(8)}`;
      await command('moderator', 'market', 'edit', [option.string('market', slug), option.string('criteria', criteria), option.string('reason', `clarity ${edit}`)], timed);
      if (edit === 1) await timed.fake.waitUntil(() => timed.fake.directMessagesTo('bob').length === 1, { description: 'bob is told of the first edit' });
    }
    await resolveYes(slug, timed);
    return { timed, clock };
  }

  const dmLines = (on: CruxOnFakeDiscord) => on.fake.directMessagesTo('bob').flatMap((dm) => dm.content.split('\n'));

  it('is sent as several messages, losing no line: the payout comes last', async () => {
    const { timed, clock } = await groupedDm();
    try {
      clock.now += 60 * 60_000;
      await deliverConversation(timed.crux.app, timed.crux.jobHooks);
      const dms = timed.fake.directMessagesTo('bob');
      expect(dms.length).toBeGreaterThan(2);
      expect(dms.every((dm) => dm.content.length <= 2000)).toBe(true);
      const lines = dmLines(timed);
      expect([1, 2, 3, 4, 5].map((edit) => lines.filter((line) => line.includes(`(clarity ${edit})`)).length)).toEqual([1, 1, 1, 1, 1]);
      expect(lines.filter((line) => line.includes('you were paid'))).toHaveLength(1);
      expect(dms.at(-1)?.content).toMatch(/you were paid .*\n-# Turn these off/);
    } finally {
      await timed.close();
    }
  });

  it('after a 500 partway, sends only what had not gone, once Discord answers again', async () => {
    const { timed, clock } = await groupedDm();
    try {
      const dmChannel = postsTo(timed.fake.directMessageChannelOf('bob'));
      const held = timed.fake.holdRequests(dmChannel);
      clock.now += 60 * 60_000;
      const delivered = deliverConversation(timed.crux.app, timed.crux.jobHooks);
      await timed.fake.waitUntil(() => held.waiting === 1, { description: 'the grouped DM’s first message is on its way' });
      // The first message goes through; the next is answered 500 (discord.js tries it 4 times in all).
      timed.fake.failRequests(dmChannel, { status: 500 }, 4);
      held.release();
      await delivered;
      expect(timed.fake.directMessagesTo('bob')).toHaveLength(2);
      expect(dmLines(timed).filter((line) => line.includes('you were paid'))).toEqual([]);
      clock.now += 60_000;
      await deliverConversation(timed.crux.app, timed.crux.jobHooks);
      const lines = dmLines(timed);
      expect([1, 2, 3, 4, 5].map((edit) => lines.filter((line) => line.includes(`(clarity ${edit})`)).length)).toEqual([1, 1, 1, 1, 1]);
      expect(lines.filter((line) => line.includes('you were paid'))).toHaveLength(1);
      expect(timed.logs).toEqual([]);
    } finally {
      await timed.close();
    }
  });
});

const EVIDENCE_BY = ['alice', 'bob', 'carol', 'moderator', 'admin', 'owner'];

/**
 * Six long evidence lines (their links quote @here), the first held on its way so the other five wait and go together
 * in the next post, which takes several messages. Returns the hold on the thread's posts, to release.
 */
async function queueLongLines(on: CruxOnFakeDiscord, threadId: string, slug: string): Promise<HeldRequests> {
  const held = on.fake.holdRequests(postsTo(threadId));
  for (const [index, user] of EVIDENCE_BY.entries()) {
    await command(user, 'evidence', 'add', [
      option.string('market', slug),
      // Notes are shown defused already; a link is shown as given, so its crowd pings are defused on the way out.
      option.string('url', `https://example.org/${'@here/'.repeat(70)}${index + 1}`),
      option.string('stance', 'for'),
      option.string('note', `${'x'.repeat(120)} end-${index + 1}`),
    ], on);
    if (index === 0) await on.fake.waitUntil(() => held.waiting === 1, { description: 'the first line is on its way' });
  }
  const waiting = () => (on.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE target = 'thread' AND state = 'pending'`).get() as { n: number }).n;
  await on.fake.waitUntil(() => waiting() === EVIDENCE_BY.length - 1, { description: 'the other lines wait' });
  return held;
}

/** How many times each evidence line's end is in the thread. */
const linesPosted = (on: CruxOnFakeDiscord, threadId: string) =>
  EVIDENCE_BY.map((_, index) => threadText(threadId, on).split(`end-${index + 1}`).length - 1);

describe('thread lines quoting crowd pings', () => {
  it('are packed as they are sent, defused, so no line is cut from a post', async () => {
    const { threadId, slug } = await openWithThread();
    const held = await queueLongLines(bot, threadId, slug);
    held.release();
    await bot.fake.waitUntil(() => threadText(threadId).includes(`📎 #${EVIDENCE_BY.length}`), { description: 'every line in the thread' });
    const posts = bot.fake.messagesIn(threadId).map((m) => m.content);
    expect(posts.every((post) => post.length <= 2000)).toBe(true);
    expect(linesPosted(bot, threadId)).toEqual(EVIDENCE_BY.map(() => 1));
    expect(posts.join('\n')).not.toMatch(/@here/);
  });

  it('after a 500 partway through a post, posts only the lines not yet posted, once Discord answers again', async () => {
    const clock = { now: Date.now() };
    const timed = await startCruxOnFakeDiscord({}, CRUX_GUILD, { now: () => clock.now });
    try {
      const { threadId, slug } = await openWithThread(timed);
      const first = await queueLongLines(timed, threadId, slug);
      const batch = timed.fake.holdRequests(postsTo(threadId));
      first.release();
      await timed.fake.waitUntil(() => batch.waiting === 1, { description: 'the batch’s first message is on its way' });
      // The batch's first message goes through; its second is answered 500 (discord.js tries it 4 times in all).
      timed.fake.failRequests(postsTo(threadId), { status: 500 }, 4);
      batch.release();
      await timed.fake.waitUntil(() => (timed.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE attempts = 1`).get() as { n: number }).n > 0, {
        description: 'the lines not posted wait to be tried again',
      });
      const before = linesPosted(timed, threadId);
      expect(before.filter((count) => count === 0).length).toBeGreaterThan(0);
      clock.now += 60_000;
      await deliverConversation(timed.crux.app, timed.crux.jobHooks);
      expect(linesPosted(timed, threadId)).toEqual(EVIDENCE_BY.map(() => 1));
      expect(timed.logs).toEqual([]);
    } finally {
      await timed.close();
    }
  });
});

describe('a claim of thread lines', () => {
  const dir = folderForEachTest('crux-thread-claims-');

  it('reaches the disk before the lines are posted, so a power cut cannot post them twice', async () => {
    // Group commit's syncs of the WAL, held by hand once `holding` is set.
    const sync = { holding: false, waiting: [] as (() => void)[] };
    const synced = await startCruxOnFakeDiscord({ CRUX_DATABASE: join(dir(), 'crux.sqlite') }, CRUX_GUILD, {
      syncWal: () => (sync.holding ? new Promise<void>((resolve) => sync.waiting.push(resolve)) : Promise.resolve()),
    });
    try {
      const { threadId, slug } = await openWithThread(synced);
      const posts = () => synced.fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${threadId}/messages`).length;
      const held = synced.fake.holdRequests(postsTo(threadId));
      await command('bob', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'Yes'), option.integer('amount', 5)], synced);
      await synced.fake.waitUntil(() => held.waiting === 1, { description: 'the first line is on its way' });
      await command('carol', 'bet', undefined, [option.string('market', slug), option.string('outcome', 'No'), option.integer('amount', 5)], synced);
      const waitingLine = () => synced.db.prepare(`SELECT state FROM outbox WHERE target = 'thread' ORDER BY id DESC LIMIT 1`).get() as { state: string };
      await synced.fake.waitUntil(() => waitingLine().state === 'pending', { description: 'the second line waits' });

      sync.holding = true;
      held.release();
      await synced.fake.waitUntil(() => waitingLine().state !== 'pending', { description: 'the second line is claimed' });
      await synced.fake.waitUntil(() => sync.waiting.length > 0 || posts() === 2, { description: 'a sync of the claim, or the post' });
      expect(posts()).toBe(1);

      sync.holding = false;
      for (const resolve of sync.waiting.splice(0)) resolve();
      await synced.fake.waitUntil(() => threadText(threadId, synced).includes(`💱 <@${synced.userId('carol')}>`), { description: 'the second line, once on disk' });
    } finally {
      sync.holding = false;
      for (const resolve of sync.waiting.splice(0)) resolve();
      await synced.close();
    }
  });
});
