import { ApplicationCommandOptionType, InteractionResponseType } from 'discord.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHandler } from '../../bot/commands/command.ts';
import { COMMANDS } from '../../bot/commands/index.ts';
import { handleComponent } from '../../bot/components/index.ts';
import { optionNames, subcommandNames } from '../../bot/console.ts';
import { toMessage } from '../../bot/discord/payload.ts';
import type { Invocation, OptionValue, Reply } from '../../bot/reply.ts';
import { option, type CommandOption, type RecordedRequest } from '../fake-discord/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { startCruxOnFakeDiscord } from '../support/discord.ts';
import { openTestMarket } from './trading.ts';

/*
 * Random and hostile option values through the path Discord uses: an invocation into the command handlers via
 * runHandler (as bot/discord/interactions.ts does), then a sample through the real Client and the fake Discord.
 */

const MARKETS = ['fuzz-binary', 'fuzz-other'];
/** What would ping a crowd if echoed raw; Crux's own `<@id>` mentions are kept from pinging by allowed_mentions. */
const CROWD_PINGS = /@everyone|@here|<@&\d+>/;
const HUGE_TEXT = 'ẞ'.repeat(6000);

const hostileText = fc.oneof(
  fc.constantFrom(
    '@everyone',
    '@here look',
    '<@&123456789012345678>',
    '<@123456789012345678>',
    '**bold** __under__ `code` ~~gone~~ ||spoiler|| > quote [link](https://evil.example)',
    "'; DROP TABLE ledger; --",
    "x' OR '1'='1",
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '-50',
    '0',
    '0x1F',
    '   ',
    '',
    '\u0000\u202e\u200b',
    '🙂👍🏽🏳️‍🌈',
    '٣٤',
    HUGE_TEXT,
    'Yes',
    'yes ',
    'No',
    'Maybe',
    'in 3 weeks',
    'yesterday',
    '2027-12-31',
    'https://manifold.markets/someone/some-question',
    'javascript:alert(1)',
    ...MARKETS,
    'no-such-market',
  ),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ maxLength: 12 }),
);
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, -0, 0.0001, 2 ** 53 + 1, 99.999),
);
const hostileValue: fc.Arbitrary<OptionValue> = fc.oneof(hostileText, hostileNumber, fc.boolean());

/** Every command and subcommand a member can invoke, with the option names it takes. */
const ENTRY_POINTS = COMMANDS.flatMap((command) => {
  const subcommands = subcommandNames(command);
  return (subcommands.length === 0 ? [null] : subcommands).map((subcommand) => ({ command, subcommand, names: optionNames(command, subcommand) }));
});

const invocationArbitrary = fc
  .record({
    entry: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...ENTRY_POINTS.filter(({ command }) => ['bet', 'sell'].includes(command.data.name))) },
      { weight: 2, arbitrary: fc.constantFrom(...ENTRY_POINTS) },
    ),
    // Ids are what Discord sends (snowflakes); display names are whatever members chose.
    user: fc.constantFrom(
      { userId: '100000000000000001', displayName: 'alice' },
      { userId: '100000000000000002', displayName: '@everyone' },
      { userId: '100000000000000003', displayName: '<@&123456789012345678> fan' },
    ),
    extra: fc.array(fc.option(hostileValue, { freq: 2 }), { maxLength: 8 }),
    // Often a real market and outcome and a sane amount, so the hostile values reach the use cases too.
    market: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...MARKETS) }, { weight: 1, arbitrary: hostileValue }),
    outcome: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('Yes', 'No') }, { weight: 1, arbitrary: hostileValue }),
    amount: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: hostileValue }),
  })
  .map(({ entry, user, extra, market, outcome, amount }) => {
    // The command's own options (and some it does not take) from the hostile values.
    const options: Record<string, OptionValue> = {};
    entry.names.forEach((name, i) => {
      const value = extra[i];
      if (value !== undefined && value !== null) options[name] = value;
    });
    return { entry, user, options: { ...options, market, outcome, amount } };
  });

/** The reply as it would go to Discord: content and embeds. */
function sentText(reply: Reply): string {
  const message = toMessage(reply);
  return JSON.stringify([message.content ?? '', message.embeds]);
}

function isError(reply: Reply): boolean {
  return (reply.content ?? '').startsWith('⚠️');
}

let harness: TestApp;
let requestCounter = 0;
function invocation(command: string, subcommand: string | null, options: Invocation['options'], actor: Invocation['actor']): Invocation {
  requestCounter += 1;
  return { realm: 'console', command, subcommand, options, actor, guildId: null, channelId: null, requestId: `fuzz-${requestCounter}`, now: Date.now() };
}

/** What every answer must be: no crash, an error only as a private note, nothing that pings a crowd. */
function assertWellFormed(reply: Reply): void {
  if (isError(reply)) {
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).not.toContain('Something went wrong');
  }
  expect(sentText(reply)).not.toMatch(CROWD_PINGS);
  expect(harness.logs.filter((line) => line.includes('unexpected'))).toEqual([]);
}

beforeAll(() => {
  harness = testApp({ CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_MAX_OPEN_MARKETS_PER_USER: '0' });
  for (const id of MARKETS) openTestMarket(harness.app.service, id);
});
afterAll(() => {
  harness.assertVerified();
  harness.db.close();
});

describe('fuzzing the command layer', () => {
  /** Members first, so the markets stay open for trading; then moderators, who may also settle them. */
  it.each([
    ['a member', false, 400],
    ['a moderator', true, 150],
  ] as const)('answers any options on any command from %s without crashing, errors privately, never echoing a crowd ping', async (_who, isModerator, numRuns) => {
    await fc.assert(
      fc.asyncProperty(invocationArbitrary, async ({ entry, user, options }) => {
        const call = invocation(entry.command.data.name, entry.subcommand, options, { ...user, isModerator });
        const reply = await runHandler(() => entry.command.execute(call, harness.app), harness.app, { fuzz: call.requestId });
        assertWellFormed(reply);
      }),
      { numRuns },
    );
    harness.assertVerified();
    const trades = harness.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ledger WHERE reason IN ('buy', 'sell')`).get()?.n ?? 0;
    // The hostile values must reach the use cases, not only their validation: a member's 400 runs trade about 35
    // times (25–43 measured, 20 once), so the bar sits where chance does not reach and a fuzz that stopped trading does.
    expect(trades).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('answers hostile button, select and form ids and fields the same way', async () => {
    const customId = fc.oneof(
      fc.constantFrom('crux:bet', 'crux:bet:fuzz-binary:99', 'crux:bet:fuzz-binary:-1', 'crux:betamount:fuzz-binary:0', 'crux:open:500:-', 'crux:proposal:accept:1', 'crux:proposal:reject:NaN', 'crux:frob'),
      hostileText.map((text) => `crux:${text.slice(0, 90)}`),
    );
    const fields = fc.dictionary(fc.constantFrom('amount', 'max_price', 'question', 'criteria', 'closes', 'outcomes', 'source'), hostileText.map(String));
    const event = fc.oneof(
      fc.record({ kind: fc.constant('button' as const), customId }),
      fc.record({ kind: fc.constant('select' as const), customId, values: fc.array(hostileText, { maxLength: 2 }) }),
      fc.record({ kind: fc.constant('modal' as const), customId, fields }),
    );
    await fc.assert(
      fc.asyncProperty(event, fc.boolean(), async (componentEvent, moderator) => {
        const call = invocation('component', null, {}, { userId: 'carol', displayName: 'carol', isModerator: moderator });
        assertWellFormed(await runHandler(() => handleComponent(componentEvent, call, harness.app), harness.app, { fuzz: call.requestId }));
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('refuses plainly bad input with a clear private error and writes nothing', async () => {
    const marketId = openTestMarket(harness.app.service, 'fuzz-fresh');
    const entries = harness.db.prepare('SELECT COUNT(*) AS n FROM ledger').get();
    const bad: [string, string | null, Invocation['options'], RegExp][] = [
      ['bet', null, { market: marketId, outcome: 'Yes', amount: 1e308 }, /more credits than exist/],
      ['bet', null, { market: marketId, outcome: 'Yes', amount: -5 }, /at least 1 credit/],
      ['bet', null, { market: marketId, outcome: 'Yes', amount: 'NaN' }, /amount: /],
      ['bet', null, { market: marketId, outcome: 'Yes', amount: 'Infinity' }, /amount: /],
      ['bet', null, { market: 'no-such-market', outcome: 'Yes', amount: 5 }, /There is no market/],
      ['bet', null, { market: marketId, outcome: '@everyone', amount: 5 }, /is not an outcome/],
      ['bet', null, { market: "x'; DROP TABLE ledger; --", outcome: 'Yes', amount: 5 }, /market: a market id is/],
      ['sell', null, { market: marketId, outcome: 'Yes', shares: -1 }, /./],
      ['market', 'open', { question: HUGE_TEXT, criteria: 'c', closes: 'in 3 weeks' }, /question: at most 300 characters/],
      ['market', 'open', { question: 'Will it work?', criteria: HUGE_TEXT, closes: 'in 3 weeks' }, /criteria: at most 2000 characters/],
      ['mod', 'resolve', { market: marketId, outcome: 'Yes', evidence: HUGE_TEXT }, /at most 1000 characters/],
    ];
    for (const [command, subcommand, options, message] of bad) {
      const module = COMMANDS.find((candidate) => candidate.data.name === command);
      if (!module) throw new Error(`no command ${command}`);
      const actor = { userId: 'dave', displayName: 'dave', isModerator: true };
      const reply = await runHandler(() => module.execute(invocation(command, subcommand, options, actor), harness.app), harness.app, {});
      expect(isError(reply), `${command} ${JSON.stringify(options).slice(0, 80)}`).toBe(true);
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(message);
      assertWellFormed(reply);
    }
    expect(harness.db.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual(entries);
  });
});

/** Option values as Discord would type them for the option's declared type. */
function discordOptions(names: string[], types: Map<string, ApplicationCommandOptionType>, values: (string | number)[]): CommandOption[] {
  return names.flatMap((name, i) => {
    const value = values[i];
    if (value === undefined) return [];
    const type = types.get(name);
    if (type === ApplicationCommandOptionType.Integer) return [option.integer(name, Math.trunc(Number(value)) || 1)];
    if (type === ApplicationCommandOptionType.Number) return [option.number(name, Number.isFinite(Number(value)) ? Number(value) : 1e300)];
    if (type === ApplicationCommandOptionType.String) return [option.string(name, String(value))];
    return [];
  });
}

function optionTypes(entry: (typeof ENTRY_POINTS)[number]): Map<string, ApplicationCommandOptionType> {
  const top = entry.command.data.toJSON().options ?? [];
  const scope = top.flatMap((o) => (o.type === ApplicationCommandOptionType.Subcommand ? (o.name === entry.subcommand ? (o.options ?? []) : []) : [o]));
  return new Map(scope.map((o) => [o.name, o.type]));
}

/** Every message Crux sent or edited, and every callback carrying a message, must forbid pings. */
interface SentMessage {
  path: string;
  allowedMentions: unknown;
  content: unknown;
  embeds: unknown;
}

function sentMessage(path: string, body: Record<string, unknown> | undefined): SentMessage {
  return { path, allowedMentions: body?.['allowed_mentions'], content: body?.['content'], embeds: body?.['embeds'] };
}

function messageBodies(requests: readonly RecordedRequest[]): SentMessage[] {
  return requests.flatMap((request) => {
    const body = request.body as Record<string, unknown> | null;
    if (body === null || typeof body !== 'object') return [];
    if (/\/interactions\/\d+\/[^/]+\/callback$/.test(request.path)) {
      const type = body['type'];
      const carriesMessage = type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.UpdateMessage;
      if (!carriesMessage) return [];
      return [sentMessage(request.path, body['data'] as Record<string, unknown> | undefined)];
    }
    // Starting a thread (…/messages/:id/threads) sends no message text, only the thread's name.
    const sendsMessage = /\/webhooks\/|\/channels\/\d+\/messages(\/\d+)?$/.test(request.path) && (request.method === 'POST' || request.method === 'PATCH');
    return sendsMessage ? [sentMessage(request.path, body)] : [];
  });
}

describe('fuzzing through the real Client and the fake Discord', () => {
  it('answers a sample of hostile interactions, none of which can ping', async () => {
    const bot = await startCruxOnFakeDiscord({ CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_MAX_OPEN_MARKETS_PER_USER: '0' });
    try {
      for (const id of MARKETS) openTestMarket(bot.crux.app.service, id, bot.fake.guild.id);
      const pinging = bot.fake.slashCommand({
        name: 'market',
        subcommand: 'open',
        user: 'alice',
        channel: 'markets',
        options: [
          option.string('question', '@everyone will <@&123456789012345678> ship it?'),
          option.string('criteria', '@here: YES if **they** do'),
          option.string('closes', 'in 3 weeks'),
          option.string('outcomes', '@everyone, <@&1> role, plain'),
        ],
      });
      await bot.fake.waitForCallback(pinging.id);
      const opened = bot.db.prepare<[], { id: string }>(`SELECT id FROM markets WHERE question LIKE '@everyone%'`).get();
      expect(opened).toBeDefined();
      const echoed = bot.fake.slashCommand({
        name: 'bet',
        user: 'bob',
        channel: 'markets',
        options: [option.string('market', opened?.id ?? ''), option.string('outcome', '@here'), option.integer('amount', 5)],
      });
      expect(JSON.stringify(await bot.fake.waitForCallback(echoed.id))).toContain('@\u200bhere');
      const sample = fc.sample(
        fc.record({
          entry: fc.constantFrom(...ENTRY_POINTS),
          user: fc.constantFrom('alice', 'bob', 'moderator'),
          values: fc.array(fc.oneof(hostileText, hostileNumber), { minLength: 1, maxLength: 7 }),
        }),
        { numRuns: 30, seed: 6 },
      );
      for (const { entry, user, values } of sample) {
        const interaction = bot.fake.slashCommand({
          name: entry.command.data.name,
          ...(entry.subcommand === null ? {} : { subcommand: entry.subcommand }),
          user,
          channel: 'markets',
          options: discordOptions(entry.names, optionTypes(entry), values),
        });
        await bot.fake.waitForCallback(interaction.id, { timeoutMs: 10_000 });
      }
      // Deferred answers and card redraws arrive after the callback.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const bodies = messageBodies(bot.fake.requests);
      expect(bodies.length).toBeGreaterThan(20);
      expect(bodies.filter((body) => JSON.stringify(body.allowedMentions) !== JSON.stringify({ parse: [] }))).toEqual([]);
      // Content and embeds are rendered as markdown, where mentions show; button labels and form values never do.
      for (const body of bodies) expect(JSON.stringify([body.content, body.embeds])).not.toMatch(CROWD_PINGS);
      expect(bot.logs.filter((line) => line.includes('unexpected'))).toEqual([]);
      expect(bot.fake.unhandledRequests).toEqual([]);
    } finally {
      await bot.close();
    }
  }, 30_000);
});
