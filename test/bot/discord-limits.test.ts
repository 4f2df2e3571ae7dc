import { InteractionResponseType, InteractionType } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { findCommand } from '../../bot/commands/index.ts';
import { toMessage, toModal } from '../../bot/discord/payload.ts';
import { fitCards, fitChoices, shorten } from '../../bot/render/limits.ts';
import { nudgeMessage, proposalMessage } from '../../bot/render/proposal-card.ts';
import type { Invocation, OptionValue, Reply } from '../../bot/reply.ts';
import { CONSOLE_REALM } from '../../markets/realms/realm.ts';
import type { Actor } from '../../markets/service.ts';
import { parseCallback } from '../fake-discord/interaction-callback.ts';
import { ok, T0, DAY } from '../support/engine.ts';
import { testApp, type TestApp } from '../support/app.ts';

/** Discord's own checks, as the fake Discord makes them: a payload it refuses throws its 50035. */
function assertDiscordTakes(reply: Reply): void {
  if (reply.modal) {
    parseCallback(InteractionType.ApplicationCommand, { type: InteractionResponseType.Modal, data: toModal(reply.modal).toJSON() });
    return;
  }
  const message = toMessage(reply);
  parseCallback(InteractionType.ApplicationCommand, {
    type: InteractionResponseType.ChannelMessageWithSource,
    data: {
      ...(message.content === undefined ? {} : { content: message.content }),
      embeds: message.embeds,
      components: message.components.map((row) => row.toJSON()),
    },
  });
}

/** Markdown characters are escaped when echoed, so they double a name's length on the card. */
const longest = (seed: string, length: number) => `${seed} `.padEnd(length, '*_');
const OUTCOMES = Array.from({ length: 20 }, (_, i) => longest(`Outcome ${i + 1}`, 60));
const QUESTION = longest('Will the longest question fit?', 300);
const CRITERIA = longest('Resolves YES if', 2000);
const TRADER: Actor = { userId: 'trader', displayName: longest('@everyone', 64), isModerator: false };
const MODERATOR: Actor = { userId: 'moderator', displayName: 'moderator', isModerator: true };

let harness: TestApp | undefined;
afterEach(() => {
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
});

let counter = 0;
function invocationOf(actor: Actor, command: string, subcommand: string | null, options: Record<string, OptionValue>): Invocation {
  counter += 1;
  return { realm: CONSOLE_REALM, command, subcommand, options, actor, guildId: null, channelId: null, requestId: `limits-${counter}`, now: T0 };
}

async function run(h: TestApp, actor: Actor, command: string, subcommand: string | null, options: Record<string, OptionValue>): Promise<{ reply: Reply; invocation: Invocation }> {
  const invocation = invocationOf(actor, command, subcommand, options);
  const module = findCommand(command);
  if (!module) throw new Error(`no command ${command}`);
  return { reply: await module.execute(invocation, h.app), invocation };
}

/** Twenty markets as long as Crux allows, each with twenty long outcomes, ten long sources and trades on every outcome. */
function openWorstCaseMarkets(h: TestApp): string[] {
  return Array.from({ length: 20 }, (_, m) => {
    const market = ok(
      h.app.service.openMarket(
        {
          question: `${m} ${QUESTION}`.slice(0, 300),
          criteria: CRITERIA,
          outcomes: OUTCOMES,
          closesAt: T0 + 30 * DAY,
          tags: Array.from({ length: 10 }, (_, t) => `tag-${t}`.padEnd(40, 'x')),
          links: Array.from({ length: 10 }, (_, l) => `https://example.org/${String(l).padEnd(480, 'p')}`),
        },
        { realm: CONSOLE_REALM, actor: MODERATOR, now: T0 },
      ),
    );
    if (m === 0) for (const outcome of OUTCOMES) ok(h.app.service.buy({ marketId: market.slug, outcome, amount: 1000 }, { realm: CONSOLE_REALM, actor: TRADER, now: T0 }));
    return market.slug;
  });
}

describe("fitting payloads to Discord's limits", () => {
  it('keeps whole lines of a list and says how many it left out', () => {
    const list = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const shown = shorten(list, 50);
    expect(shown).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n…and 25 more');
    expect(shorten('x'.repeat(300), 256)).toBe(`${'x'.repeat(255)}…`);
    expect(shorten('short', 256)).toBe('short');
    // An emoji is two UTF-16 units; a cut never leaves half of one.
    expect(shorten(`a${'😀'.repeat(10)}`, 4)).toBe('a😀…');
  });

  it('fits ten cards of every text at its limit into 6,000 characters, down to one field of each', () => {
    const card = { title: 't'.repeat(300), description: 'd'.repeat(5000), fields: Array.from({ length: 30 }, () => ({ name: 'n'.repeat(300), value: 'v'.repeat(2000) })), footer: 'f'.repeat(3000) };
    const fitted = fitCards(Array.from({ length: 12 }, () => card));
    expect(fitted).toHaveLength(10);
    const characters = fitted.reduce((sum, c) => sum + c.title.length + (c.description?.length ?? 0) + (c.footer?.length ?? 0) + (c.fields ?? []).reduce((s, f) => s + f.name.length + f.value.length, 0), 0);
    expect(characters).toBeLessThanOrEqual(6000);
    expect(fitted[0]?.fields).toHaveLength(25);
    assertDiscordTakes({ ephemeral: false, cards: fitted, actions: [], files: [] });
    const [many] = fitCards([{ title: 'Many fields', fields: Array.from({ length: 31 }, (_, i) => ({ name: `n${i}`, value: `v${i}` })) }]);
    expect(many?.fields?.at(-1)).toEqual({ name: '…', value: 'and 7 more' });
  });

  it('fits a form: its title, labels and prefilled values', () => {
    const modal = {
      id: 'crux:test',
      title: 'A form whose title runs past forty-five characters',
      fields: [{ id: 'long', label: 'A label that runs well past forty-five characters', style: 'paragraph' as const, required: true, value: 'v'.repeat(5000) }],
    };
    const raw = { type: InteractionResponseType.Modal, data: { custom_id: modal.id, title: modal.title, components: [{ type: 1, components: [{ type: 4, custom_id: 'long', style: 2, label: modal.fields[0]?.label, value: 'v'.repeat(5000) }] }] } };
    expect(() => parseCallback(InteractionType.ApplicationCommand, raw)).toThrow('Invalid Form Body');
    assertDiscordTakes({ ephemeral: true, cards: [], actions: [], files: [], modal });
  });

  it('answers autocomplete with at most 25 choices of at most 100 characters', () => {
    const choices = Array.from({ length: 40 }, (_, i) => ({ name: `${i} ${'n'.repeat(200)}`, value: `v${i}` }));
    const fitted = fitChoices([...choices, { name: 'too long a value', value: 'v'.repeat(101) }]);
    expect(fitted).toHaveLength(25);
    expect(fitted.every((choice) => choice.name.length <= 100 && choice.value.length <= 100)).toBe(true);
    parseCallback(InteractionType.ApplicationCommandAutocomplete, { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: fitted } });
  });

  it('renders the worst-case market in every card, list, select and form Crux sends, each within the limits', async () => {
    const h = (harness = testApp({ CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_MAX_OPEN_MARKETS_PER_USER: '0' }));
    const [id = '', second = '', third = ''] = openWorstCaseMarkets(h);
    const outcome = OUTCOMES[19] ?? '';
    const evidence = longest('https://example.org/evidence', 1000);
    const replies: Reply[] = [];
    const send = async (actor: Actor, command: string, subcommand: string | null, options: Record<string, OptionValue>) => {
      const { reply, invocation } = await run(h, actor, command, subcommand, options);
      replies.push(reply);
      const confirmation = findCommand(command)?.confirmation?.(invocation, h.app);
      if (confirmation) replies.push({ ephemeral: true, cards: [confirmation], actions: [], files: [] });
      return reply;
    };

    const shown = await send(TRADER, 'market', 'show', { market: id });
    await send(TRADER, 'market', 'list', { status: 'all' });
    await send(TRADER, 'bet', null, { market: id, outcome, amount: 5 });
    await send(TRADER, 'sell', null, { market: id, outcome, shares: 1 });
    await send(TRADER, 'forecast', null, { market: id, probability: 70, outcome });
    await send(TRADER, 'portfolio', null, {});
    await send(TRADER, 'leaderboard', null, {});
    await send(TRADER, 'market', 'open', { question: QUESTION, outcomes: OUTCOMES.join(',') });
    await send(MODERATOR, 'mod', 'resolve', { market: id, outcome, evidence });
    await send(MODERATOR, 'mod', 'correct', { market: id, outcome: OUTCOMES[0] ?? '', evidence });
    await send(MODERATOR, 'mod', 'cancel', { market: second, reason: evidence });
    await send(MODERATOR, 'mod', 'close', { market: third });
    await send(TRADER, 'market', 'show', { market: id });
    const market = h.app.views.findMarket(CONSOLE_REALM, third);
    if (!market) throw new Error(`no market ${third}`);
    replies.push(nudgeMessage(market));
    const proposal = { id: 1, marketId: market.id, verdict: 'outcome' as const, outcome: 19, probabilities: null, verdictKey: 'k', basis: [], evidence: evidence.repeat(3), status: 'pending' as const, createdAt: T0, autoApplyAt: T0 + DAY, decidedBy: null, decidedAt: null, messageChannelId: null, messageId: null };
    replies.push(proposalMessage(proposal, market));

    expect(replies.filter((reply) => reply.content?.startsWith('⚠️'))).toEqual([]);
    for (const reply of replies) assertDiscordTakes(reply);
    // Shortening gives way on the criteria: every outcome and its price stays on the card, and all 20 in its select.
    const card = toMessage(shown).embeds[0];
    const prices = (card?.fields ?? []).filter((field) => field.name.startsWith('Prices')).map((field) => field.value).join('\n');
    expect(prices.split('\n')).toHaveLength(20);
    expect(card?.description).toMatch(/…$/);
    const select = shown.actions[0]?.[0];
    expect(select?.kind === 'select' && select.options).toHaveLength(20);

    const autocompleted = findCommand('bet')?.autocomplete?.(invocationOf(TRADER, 'bet', null, { market: third }), { name: 'outcome', value: '' }, h.app) ?? [];
    expect(autocompleted).toHaveLength(20);
    parseCallback(InteractionType.ApplicationCommandAutocomplete, { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: fitChoices(autocompleted) } });
  });

  it('lists the newest evidence whole, as much as fits, and says how many older items it leaves out', async () => {
    const h = (harness = testApp({ CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_MAX_OPEN_MARKETS_PER_USER: '0' }));
    const [id = ''] = openWorstCaseMarkets(h);
    const cited = 20;
    for (let i = 1; i <= cited; i++) {
      await run(h, TRADER, 'evidence', 'add', { market: id, url: longest(`https://example.org/${i}/`, 400), stance: 'for', note: longest(`note ${i}`, 300) });
    }
    const { reply } = await run(h, TRADER, 'evidence', 'list', { market: id });
    assertDiscordTakes(reply);
    const text = reply.cards[0]?.description ?? '';
    const shown = [...text.matchAll(/^\*\*#(\d+)\*\*/gm)].map((match) => Number(match[1]));
    expect(shown.length).toBeLessThan(15);
    // Newest first, each item whole (its note, escaped, ends it), and every item left out counted.
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => cited - i));
    const older = `\n…and ${cited - shown.length} older`;
    expect(text.endsWith(older)).toBe(true);
    const items = text.slice(0, -older.length).split('\n\n');
    expect(items).toHaveLength(shown.length);
    expect(items.every((item, i) => item.includes(`note ${cited - i}`) && item.endsWith('\\*\\_'))).toBe(true);
  });
});
