import { type APIEmbed, type APIMessage, InteractionContextType, InteractionResponseType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { option, type GuildSpec, type RecordedCallback } from '../fake-discord/index.ts';
import { cruxOnFakeDiscordPerTest, type CruxOnFakeDiscord } from '../support/discord.ts';
import { messageOf } from '../reliability/trading.ts';
import { marketKeyOnCard } from '../support/cards.ts';

/**
 * Two servers with one bot. Mallory is a plain member of Alpha and a moderator (Manage Server) of Beta, where anyone
 * can make themselves one: nothing she does in Beta may reach Alpha's markets, money, settings or proposals.
 */
const ADMINS = { name: 'Admins', permissions: PermissionFlagsBits.ManageGuild };
const ALPHA: GuildSpec = {
  name: 'Alpha',
  textChannels: ['markets', 'general'],
  roles: [ADMINS, { name: 'Forecasters', permissions: 0n }],
  members: [
    { username: 'alpha-owner' },
    { username: 'alpha-mod', roles: ['Admins'] },
    { username: 'alice' },
    { username: 'mallory' },
    { username: 'fran', roles: ['Forecasters'] },
  ],
  ownerUsername: 'alpha-owner',
};
const BETA: GuildSpec = {
  name: 'Beta',
  textChannels: ['markets'],
  roles: [ADMINS],
  members: [{ username: 'beta-owner' }, { username: 'mallory', roles: ['Admins'] }, { username: 'carol' }, { username: 'alice' }],
  ownerUsername: 'beta-owner',
};
/** A server that added Crux's commands but whose data the bot has not cached (it never got a GUILD_CREATE). */
const GAMMA: GuildSpec = { ...BETA, name: 'Gamma', botIsMember: false };

const QUESTION = 'Did the ROME agent genuinely show power-seeking?';
const SLUG = 'rome-agent-genuinely-show-power-seeking';

let bot: CruxOnFakeDiscord;
cruxOnFakeDiscordPerTest((started) => (bot = started), { CRUX_STARTING_GRANT: '1000' }, [ALPHA, BETA, GAMMA]);

type Options = ReturnType<typeof option.string>[];

type Answer = RecordedCallback | APIMessage;

/** What the member sees: the interaction's answer, or for a deferred command (a chart) the message that follows. */
async function run(user: string, guild: string, name: string, subcommand: string | undefined, options: Options = []): Promise<Answer> {
  const interaction = bot.fake.slashCommand({ name, ...(subcommand ? { subcommand } : {}), user, guild, channel: 'markets', options });
  const callback = await bot.fake.waitForCallback(interaction.id);
  if (callback.type !== InteractionResponseType.DeferredChannelMessageWithSource) return callback;
  await bot.fake.waitUntil(() => bot.fake.followUps(interaction.id).length > 0 || (bot.fake.originalResponse(interaction.id)?.embeds.length ?? 0) > 0);
  return bot.fake.followUps(interaction.id)[0] ?? bot.fake.originalResponse(interaction.id) ?? callback;
}

function messageOfAnswer(answer: Answer): { content?: string | null; embeds?: APIEmbed[] | null; flags?: number | null } {
  return 'type' in answer && 'interactionId' in answer ? messageOf(answer) : (answer as APIMessage);
}

function privateText(answer: Answer): string {
  const message = messageOfAnswer(answer);
  expect((message.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  return message.content ?? '';
}

async function openIn(guild: string, user: string): Promise<void> {
  const opened = await run(user, guild, 'market', 'open', [
    option.string('question', QUESTION),
    option.string('criteria', 'YES if the logs show it acquiring resources beyond its task.'),
    option.string('closes', '2027-12-31'),
  ]);
  expect(marketKeyOnCard(messageOfAnswer(opened).embeds?.[0])).toBe(SLUG);
}

/** Alice opens the market from Alpha's #general, so a market channel set elsewhere gets its card. */
function openFromGeneral() {
  return bot.fake.slashCommand({
    name: 'market',
    subcommand: 'open',
    user: 'alice',
    guild: 'Alpha',
    channel: 'general',
    options: [option.string('question', QUESTION), option.string('criteria', 'As the logs show.'), option.string('closes', '2027-12-31')],
  });
}

function marketRows(): { realm: string; slug: string; status: string }[] {
  return bot.db.prepare('SELECT realm, slug, status FROM markets ORDER BY realm').all() as { realm: string; slug: string; status: string }[];
}

describe('every server is its own realm', () => {
  it("answers a moderator of another server exactly as for an unknown market, on every path, and changes nothing", async () => {
    await openIn('Alpha', 'alice');
    await run('alice', 'Alpha', 'bet', undefined, [option.string('market', SLUG), option.string('outcome', 'Yes'), option.integer('amount', 50)]);
    const ledgerBefore = bot.ledgerCount();

    const typing = bot.fake.autocomplete({ name: 'mod', subcommand: 'close', user: 'mallory', guild: 'Beta', options: [], focused: { name: 'market', value: 'rome' } });
    expect(await bot.fake.waitForCallback(typing.id)).toMatchObject({ data: { choices: [] } });
    const outcomes = bot.fake.autocomplete({ name: 'bet', user: 'mallory', guild: 'Beta', options: [option.string('market', SLUG)], focused: { name: 'outcome', value: '' } });
    expect(await bot.fake.waitForCallback(outcomes.id)).toMatchObject({ data: { choices: [] } });

    const market = option.string('market', SLUG);
    const unknown = option.string('market', 'no-such-market');
    const attempts: [string, string | undefined, Options][] = [
      ['market', 'show', [market]],
      ['bet', undefined, [market, option.string('outcome', 'Yes'), option.integer('amount', 10)]],
      ['sell', undefined, [market, option.string('outcome', 'Yes')]],
      ['forecast', undefined, [market, option.number('probability', 90)]],
      ['mod', 'close', [market]],
      ['mod', 'resolve', [market, option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/b')]],
      ['mod', 'cancel', [market, option.string('reason', 'because')]],
      ['mod', 'correct', [market, option.string('outcome', 'No'), option.string('evidence', 'https://example.org/b')]],
      ['mod', 'link', [market, option.string('url', 'https://example.org/source')]],
    ];
    for (const [name, subcommand, options] of attempts) {
      expect(privateText(await run('mallory', 'Beta', name, subcommand, options))).toBe(`⚠️ There is no market \`${SLUG}\`.`);
      const withUnknown = options.map((o) => (o.name === 'market' ? unknown : o));
      expect(privateText(await run('mallory', 'Beta', name, subcommand, withUnknown))).toBe('⚠️ There is no market `no-such-market`.');
    }

    // The card's buttons carry the slug: pressed in Beta they find nothing either.
    const press = bot.fake.buttonPress({ customId: `crux:bet:${SLUG}:0`, user: 'mallory', guild: 'Beta', channel: 'markets' });
    expect(privateText(await bot.fake.waitForCallback(press.id))).toBe(`⚠️ There is no market \`${SLUG}\`.`);

    expect(marketRows()).toEqual([{ realm: bot.fake.guildByName('Alpha').id, slug: SLUG, status: 'open' }]);
    expect(bot.ledgerCount()).toBe(ledgerBefore);
    expect(bot.db.prepare('SELECT COUNT(*) AS n FROM market_links').get()).toEqual({ n: 0 });
  });

  it('gives each server its own market of the same slug, its own balances, grants and leaderboard', async () => {
    await openIn('Alpha', 'alice');
    await openIn('Beta', 'carol');
    expect(marketRows().map((row) => row.slug)).toEqual([SLUG, SLUG]);

    // Beta's moderator lowers Beta's starting grant; Alpha's members are untouched.
    const changed = await run('mallory', 'Beta', 'mod', 'settings', [option.string('starting_grant', '400')]);
    expect(privateText(changed)).toContain('Changed 1 setting');
    expect(messageOfAnswer(changed).embeds?.[0]?.description).toContain('**Starting grant** (`starting_grant`): 400 credits — set for this server');

    const bet = (user: string, guild: string, amount: number) =>
      run(user, guild, 'bet', undefined, [option.string('market', SLUG), option.string('outcome', 'Yes'), option.integer('amount', amount)]);
    await bet('mallory', 'Alpha', 100);
    await bet('mallory', 'Beta', 30);
    await bet('alice', 'Beta', 10);
    expect(bot.balance('mallory', 'Alpha')).toBe(900_000);
    expect(bot.balance('mallory', 'Beta')).toBe(370_000);
    expect(bot.balance('alice', 'Beta')).toBe(390_000);
    // Alice opened Alpha's market without trading; her Alpha account is her first action there.
    await run('alice', 'Alpha', 'portfolio', undefined);
    expect(bot.balance('alice', 'Alpha')).toBe(1_000_000);

    const alphaBoard = messageOfAnswer(await run('alice', 'Alpha', 'leaderboard', undefined)).embeds?.[0]?.description ?? '';
    const betaBoard = messageOfAnswer(await run('carol', 'Beta', 'leaderboard', undefined)).embeds?.[0]?.description ?? '';
    expect(alphaBoard).toContain('mallory');
    expect(alphaBoard).not.toContain('alice');
    expect(betaBoard).toContain('mallory');
    expect(betaBoard).toContain('alice');
    const realmsShown = bot.crux.app.views.leaderboard(bot.fake.guildByName('Alpha').id, 10).map((row) => row.balance);
    expect(realmsShown).toEqual([900_000]);

    // Settings are per server: Alpha still has the environment's default, and Mallory is no moderator there.
    expect(privateText(await run('mallory', 'Alpha', 'mod', 'settings', []))).toBe("⚠️ Only moderators can see or change this server's settings.");
    const alpha = messageOfAnswer(await run('alpha-mod', 'Alpha', 'mod', 'settings', [])).embeds?.[0]?.description ?? '';
    expect(alpha).toContain('**Starting grant** (`starting_grant`): 1,000 credits — default');
  });

  it("refuses a proposal of one server's market to another server's moderator pressing its button", async () => {
    await openIn('Alpha', 'alice');
    const alphaRealm = bot.fake.guildByName('Alpha').id;
    const { app } = bot.crux;
    const key = app.views.market(alphaRealm, SLUG).market.id;
    const link = app.resolution.linkSource(SLUG, 'https://manifold.markets/someone/rome', {
      realm: alphaRealm,
      actor: { userId: 'alpha-mod', isModerator: true },
      now: Date.now(),
    });
    expect(link.ok).toBe(true);
    const due = app.resolution.sourcesDueForPoll(Date.now()).filter((source) => source.marketId === key);
    const proposed = app.resolution.recordChecks(key, due.map((source) => ({ source, check: { kind: 'outcome', label: 'YES', detail: 'resolved YES' } })), Date.now());
    const proposalId = proposed.ok ? (proposed.value?.id ?? 0) : 0;
    expect(proposalId).toBeGreaterThan(0);

    for (const action of ['accept', 'reject']) {
      const press = bot.fake.buttonPress({ customId: `crux:proposal:${action}:${proposalId}`, user: 'mallory', guild: 'Beta', channel: 'markets' });
      expect(privateText(await bot.fake.waitForCallback(press.id))).toBe(`⚠️ There is no resolution proposal #${proposalId}.`);
    }
    expect(bot.db.prepare('SELECT status FROM proposals WHERE id = ?').get(proposalId)).toEqual({ status: 'pending' });
    expect(marketRows()[0]?.status).toBe('open');

    const byAlpha = bot.fake.buttonPress({ customId: `crux:proposal:accept:${proposalId}`, user: 'alpha-mod', guild: 'Alpha', channel: 'markets' });
    await bot.fake.waitForCallback(byAlpha.id);
    expect(bot.db.prepare('SELECT status FROM proposals WHERE id = ?').get(proposalId)).toEqual({ status: 'accepted' });
  });

  it('registers /mod for Manage Server only and every command for servers only; a DM gets a note and writes nothing', async () => {
    const guild = bot.client.guilds.cache.get(bot.fake.guild.id);
    await guild?.commands.set(bot.crux.commands);
    const registered = bot.fake.registeredCommands(bot.fake.guild.id);
    expect(registered.find((command) => command.name === 'mod')?.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
    for (const command of registered) expect(command.contexts).toEqual([InteractionContextType.Guild]);

    const ledgerBefore = bot.ledgerCount();
    const dm = bot.fake.slashCommand({ name: 'portfolio', user: 'alice', context: InteractionContextType.BotDM, options: [] });
    expect(privateText(await bot.fake.waitForCallback(dm.id))).toContain('Crux works inside a server');
    expect(bot.ledgerCount()).toBe(ledgerBefore);
    expect(bot.db.prepare("SELECT COUNT(*) AS n FROM accounts WHERE kind = 'user'").get()).toEqual({ n: 0 });
  });

  it("uses each server's own moderator role and market channel", async () => {
    const alpha = bot.fake.guildByName('Alpha');
    const forecasters = alpha.role('Forecasters').id;
    const markets = alpha.channel('markets').id;
    await run('alpha-mod', 'Alpha', 'mod', 'settings', [option.string('moderator_role', `<@&${forecasters}>`), option.string('market_channel', `<#${markets}>`)]);

    const fromGeneral = openFromGeneral();
    // Acknowledged privately at once, then told where the card went once it is posted.
    expect(await bot.fake.waitForCallback(fromGeneral.id)).toMatchObject({ type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } });
    await bot.fake.waitUntil(() => (bot.fake.originalResponse(fromGeneral.id)?.content ?? '') !== '', { description: 'the answer says where the card is' });
    expect(privateText(bot.fake.originalResponse(fromGeneral.id) as APIMessage)).toBe(`✅ Opened \`${SLUG}\`; its card is in <#${markets}>.`);
    const storedCard = () => bot.db.prepare('SELECT channel_id, message_id FROM markets').get() as { channel_id: string; message_id: string | null };
    // The card is posted first and its message id stored after Discord answers: wait for both.
    await bot.fake.waitUntil(() => bot.fake.messagesIn('markets', 'Alpha').some((message) => message.embeds[0]?.title === QUESTION) && storedCard().message_id !== null);
    const stored = storedCard();
    expect(stored.channel_id).toBe(markets);
    expect(bot.fake.messagesIn('markets', 'Alpha').map((message) => message.id)).toContain(stored.message_id);

    // Fran holds Alpha's moderator role (no permission of its own); in Beta the role means nothing.
    const closed = await run('fran', 'Alpha', 'mod', 'close', [option.string('market', SLUG)]);
    expect(messageOfAnswer(closed).content).toContain('is closed for trading');
    expect(privateText(await run('alice', 'Beta', 'mod', 'settings', []))).toBe("⚠️ Only moderators can see or change this server's settings.");
  });

  it("never lets one server's settings send the bot's posts into another server's channel", async () => {
    const alphaMarkets = bot.fake.guildByName('Alpha').channel('markets').id;
    const beta = bot.fake.guildByName('Beta').id;
    // Mallory moderates Beta and is a plain member of Alpha.
    const refused = await run('mallory', 'Beta', 'mod', 'settings', [option.string('market_channel', `<#${alphaMarkets}>`)]);
    expect(privateText(refused)).toBe(`⚠️ Market channel: <#${alphaMarkets}> is not a channel of this server. Nothing was changed.`);
    expect(bot.crux.app.realms.values(beta).marketChannel).toBeNull();

    // A setting stored before that check (written here past it, through the use case) is refused where the bot posts.
    const mallory = { userId: bot.userId('mallory'), isModerator: true };
    expect(bot.crux.app.realms.update({ market_channel: alphaMarkets, moderator_channel: alphaMarkets }, { realm: beta, actor: mallory, now: Date.now() }).ok).toBe(true);
    const question = 'Free credits: press Yes now?';
    const opened = bot.fake.slashCommand({
      name: 'market',
      subcommand: 'open',
      user: 'mallory',
      guild: 'Beta',
      channel: 'markets',
      options: [option.string('question', question), option.string('criteria', 'Never.'), option.string('closes', '2027-12-31')],
    });
    await bot.fake.waitForCallback(opened.id);
    await bot.fake.waitUntil(() => bot.logs.some((line) => line.includes(`channel ${alphaMarkets} is not in server ${beta}`)), { description: 'the post is refused' });
    expect(bot.fake.messagesIn('markets', 'Alpha').filter((message) => message.embeds[0]?.title === question)).toEqual([]);
  });

  it('posts one card in the market channel for a /market open that Discord delivers again after a restart', async () => {
    const markets = bot.fake.guildByName('Alpha').channel('markets').id;
    await run('alpha-mod', 'Alpha', 'mod', 'settings', [option.string('market_channel', `<#${markets}>`)]);
    const open = openFromGeneral();
    const cards = () => bot.fake.messagesIn('markets', 'Alpha').filter((message) => message.embeds[0]?.title === QUESTION);
    await bot.fake.waitUntil(() => cards().length === 1 && (bot.fake.originalResponse(open.id)?.content ?? '') !== '', { description: 'the card and the answer' });
    await bot.restart();
    const refusedBefore = bot.logs.filter((line) => line.includes('could not answer an interaction')).length;
    bot.fake.redeliver(open);
    // The replayed open finds the interaction answered already and stops before posting anything.
    await bot.fake.waitUntil(() => bot.logs.filter((line) => line.includes('could not answer an interaction')).length > refusedBefore, { description: 'the redelivery is refused' });
    expect(cards()).toHaveLength(1);
    expect(marketRows().filter((row) => row.slug === SLUG)).toHaveLength(1);
  });

  it('moderates in a server whose data the bot never cached, from the permissions Discord sends', async () => {
    await openIn('Gamma', 'carol');
    const closed = await run('mallory', 'Gamma', 'mod', 'close', [option.string('market', SLUG)]);
    expect(messageOfAnswer(closed).content).toContain('is closed for trading');
    expect(privateText(await run('carol', 'Gamma', 'mod', 'settings', []))).toBe("⚠️ Only moderators can see or change this server's settings.");
  });
});
