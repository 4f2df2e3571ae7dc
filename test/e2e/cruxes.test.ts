import { type APIEmbed, InteractionResponseType } from 'discord.js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { creditsToMillis } from '../../markets/money.ts';
import { option, type RecordedRequest } from '../fake-discord/index.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';
import { marketKeyOnCard } from '../support/cards.ts';

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started));

type Option = ReturnType<typeof option.string>;

function slash(user: string, name: string, subcommand: string | undefined, options: Option[]) {
  return bot.fake.slashCommand({ name, ...(subcommand ? { subcommand } : {}), user, channel: 'markets', options });
}

async function embedsOf(user: string, name: string, subcommand: string | undefined, options: Option[]) {
  const callback = await bot.fake.waitForCallback(slash(user, name, subcommand, options).id);
  const data = 'data' in callback ? (callback.data as { content?: string; embeds?: APIEmbed[] } | undefined) : undefined;
  return { content: data?.content ?? '', embeds: data?.embeds ?? [] };
}

async function openMarket(question: string): Promise<string> {
  const { embeds } = await embedsOf('alice', 'market', 'open', [
    option.string('question', question),
    option.string('criteria', 'YES if it happens before 2028.'),
    option.string('closes', '2027-12-31'),
  ]);
  return marketKeyOnCard(embeds[0]);
}

async function bet(user: string, market: string, outcome: string, credits: number): Promise<void> {
  const { embeds } = await embedsOf(user, 'bet', undefined, [option.string('market', market), option.string('outcome', outcome), option.integer('amount', credits)]);
  expect(embeds[0]?.title).toMatch(/bought/i);
}

describe('cruxes in chat, end to end', () => {
  it('a pair opened with /crux open trades; the condition resolves, the other branch is cancelled with refunds and its holders told; /crux show draws it', async () => {
    const claim = await openMarket('Do RL agents acquire resources instrumentally?');
    const condition = await openMarket('Is the ROME result replicated by a second team?');
    const opened = await embedsOf('alice', 'crux', 'open', [option.string('claim', claim), option.string('condition', condition)]);
    const [ifYes, ifNo] = [...opened.content.matchAll(/`([a-z0-9-]+)`/g)].map((match) => match[1] ?? '').slice(0, 2);
    expect(ifYes).toBeTruthy();
    expect(ifNo).toBeTruthy();
    expect(opened.embeds[0]?.title).toBe('🧩 Do RL agents acquire resources instrumentally?');

    await bet('bob', ifYes ?? '', 'Yes', 80);
    await bet('carol', ifNo ?? '', 'No', 40);
    const grant = creditsToMillis(bot.crux.app.config.CRUX_STARTING_GRANT);
    expect(bot.balance('carol')).toBe(grant - creditsToMillis(40));

    // /crux show before the condition settles: strength from the prices, and the graph.
    const show = slash('bob', 'crux', 'show', [option.string('market', claim)]);
    expect((await bot.fake.waitForCallback(show.id)).type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const edit: RecordedRequest = await bot.fake.waitForRequest(
      ({ method, path }) => method === 'PATCH' && path === `/webhooks/${bot.fake.applicationId}/${show.token}/messages/@original`,
    );
    const card = (edit.body as { embeds?: APIEmbed[] }).embeds?.[0];
    const field = card?.fields?.[0];
    expect(field?.name).toMatch(new RegExp(`^If ${condition} — strength (\\d+\\.\\d) pts$`));
    expect(Number(/strength (\d+\.\d)/.exec(field?.name ?? '')?.[1])).toBeGreaterThan(5);
    expect(field?.value).toMatch(/Yes \(50%\) → \*\*\d+%\*\* · No \(50%\) → \*\*\d+%\*\*/);
    expect(edit.files).toHaveLength(1);
    expect(card?.image?.url).toBe(`attachment://${edit.files[0]?.filename}`);
    const png = PNG.sync.read(edit.files[0]!.bytes);
    expect([png.width, png.height]).toEqual([900, 370]);

    const settled = await bot.confirm(
      slash('moderator', 'mod', 'resolve', [option.string('market', condition), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replication')]),
      'moderator',
    );
    expect(settled.embeds[0]?.fields?.find((f) => f.name === 'Conditional markets cancelled')?.value).toBe(`\`${ifNo}\``);
    // carol's 40 credits came back, exactly as a moderator's cancel refunds them; bob's branch trades on.
    expect(bot.balance('carol')).toBe(grant);
    expect(bot.crux.app.views.market(bot.fake.guild.id, ifNo ?? '').market.status).toBe('cancelled');
    expect(bot.crux.app.views.market(bot.fake.guild.id, ifYes ?? '').market.status).toBe('open');
    // Her branch's channel is told why, naming her.
    await bot.fake.waitUntil(() => bot.fake.messagesIn('markets').some((m) => m.embeds[0]?.title === `↩️ ${ifNo} cancelled — its condition did not hold`), {
      description: 'the cancelled conditional is announced in its channel',
    });
    const notice = bot.fake.messagesIn('markets').find((m) => m.embeds[0]?.title === `↩️ ${ifNo} cancelled — its condition did not hold`);
    expect(notice?.embeds[0]?.fields?.find((f) => f.name === 'Refunds')?.value).toBe(`<@${bot.userId('carol')}> 40`);
    const why = notice?.embeds[0]?.fields?.find((f) => f.name === 'Evidence')?.value ?? '';
    expect(why).toContain(condition);
    expect(why).toMatch(/resolved Yes, not No: every trade is refunded\.$/);

    // The cancelled branch drops out of the crux; the condition settled, so it leaves the ranking.
    const list = await embedsOf('bob', 'crux', 'list', []);
    expect(list.embeds[0]?.description).toMatch(/^No open cruxes yet/);
  });
});
