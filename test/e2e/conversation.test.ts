import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { deliverConversation } from '../../bot/jobs.ts';
import { formatCredits } from '../../markets/money.ts';
import { option, type RecordedCallback } from '../fake-discord/index.ts';
import { CRUX_GUILD, cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord, startCruxOnFakeDiscord } from '../support/discord.ts';

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
  const slug = dataOf(opened.callback).embeds?.[0]?.footer?.text?.split(' · ')[0] ?? '';
  return { cardId, threadId, slug };
}

const threadText = (threadId: string, on: CruxOnFakeDiscord = bot) => on.fake.messagesIn(threadId).map((m) => m.content).join('\n');

describe('a market’s thread', () => {
  it('opens on the card, which links to it, and carries trades, evidence and the resolution', async () => {
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
        await noThreads.fake.waitUntil(() => noThreads.crux.app.notifications.thread(dataOf(opened.callback).embeds?.[0]?.footer?.text?.split(' · ')[0] ?? '') === null, {
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
    const { slug } = await openWithThread();
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
