import { afterEach, expect, it } from 'vitest';
import { marketChoices, openMarketAndOutcomeChoices } from '../../bot/commands/command.ts';
import { handleComponent } from '../../bot/components/index.ts';
import type { Invocation } from '../../bot/reply.ts';
import { DAY, T0, ok } from '../support/engine.ts';
import { testApp, type TestApp } from '../support/app.ts';

let harness: TestApp | undefined;
afterEach(() => {
  harness?.db.close();
});

it('offers the outcomes of the chosen market even when many other market ids contain its id', () => {
  const h = (harness = testApp());
  const mod = { realm: 'console', actor: { userId: 'mod', isModerator: true }, now: T0 };
  // Ids that contain "ai" and close sooner, so a text search for "ai" lists them first.
  for (let i = 1; i <= 30; i++) {
    ok(h.app.service.openMarket({ id: `ai-${i}`, question: `Question number ${i}?`, criteria: 'x', closesAt: T0 + DAY }, mod));
  }
  ok(h.app.service.openMarket({ id: 'ai', question: 'Which lab first?', criteria: 'x', outcomes: ['OpenAI', 'Anthropic', 'Other'], closesAt: T0 + 9 * DAY }, mod));
  const invocation: Invocation = { realm: 'console', command: 'bet', subcommand: null, options: { market: 'ai' }, actor: mod.actor, guildId: null, channelId: null, requestId: 'r', now: T0 };
  expect(openMarketAndOutcomeChoices(invocation, { name: 'outcome', value: 'an' }, h.app)).toEqual([{ name: 'Anthropic', value: 'Anthropic' }]);
  expect(openMarketAndOutcomeChoices({ ...invocation, options: { market: 'nope' } }, { name: 'outcome', value: '' }, h.app)).toEqual([]);
});

/** Half of a surrogate pair (half an emoji), which Discord refuses in any payload. */
const HALF_PAIR = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

it('cuts a choice and the bet form\'s title at Discord\'s limits without splitting an emoji', async () => {
  const h = (harness = testApp());
  const mod = { realm: 'console', actor: { userId: 'mod', isModerator: true }, now: T0 };
  // "alpha — " is 8 characters, so the emoji of the question sits on the 100th and 101st of the choice's name; the
  // outcome's sits on the 45th and 46th of "Bet on …".
  const question = `Will alpha ${'x'.repeat(80)}😀 and then some more words?`;
  ok(h.app.service.openMarket({ id: 'alpha', question, criteria: 'x', outcomes: [`${'y'.repeat(37)}😀`, 'No'], closesAt: T0 + DAY }, mod));
  const [choice] = marketChoices(h.app, '', 'console', true);
  expect(choice?.name.length).toBeLessThanOrEqual(100);
  expect(choice?.name).not.toMatch(HALF_PAIR);
  const invocation: Invocation = { realm: 'console', command: 'bet', subcommand: null, options: {}, actor: mod.actor, guildId: null, channelId: null, requestId: 'r', now: T0 };
  const form = (await handleComponent({ kind: 'button', customId: 'crux:bet:alpha:0' }, invocation, h.app)).modal;
  expect(form?.title.length).toBeLessThanOrEqual(45);
  expect(form?.title).not.toMatch(HALF_PAIR);
});
