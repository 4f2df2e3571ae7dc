import { afterEach, expect, it } from 'vitest';
import { openMarketAndOutcomeChoices } from '../../bot/commands/command.ts';
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
