import type { Client } from 'discord.js';
import { afterEach, expect, it } from 'vitest';
import { MarketCardRedraws, redrawMarketCard } from '../../bot/discord/market-message.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, ok, T0 } from '../support/engine.ts';

let harness: TestApp;
afterEach(() => {
  harness.assertVerified();
  harness.db.close();
});

/** A client whose message edits wait until the test lets each one finish. */
function slowDiscord() {
  const edits: { body: unknown; finish: () => void }[] = [];
  const rest = { patch: (_route: string, { body }: { body: unknown }) => new Promise<void>((finish) => edits.push({ body, finish })) };
  return { client: { rest } as unknown as Client, edits };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A market with its card posted, cards redrawn through a slow Discord every `refreshSeconds` at most, and a way to trade on it. */
function postedCard(refreshSeconds: string) {
  harness = testApp({ CRUX_CARD_REFRESH_SECONDS: refreshSeconds });
  const { app } = harness;
  ok(app.service.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team reports it.', closesAt: T0 + 30 * DAY }, { realm: 'console', actor: { userId: 'mod', isModerator: true }, now: T0 }));
  app.service.recordMarketMessage('rome', 'channel-1', 'message-1');
  const bet = (userId: string) => ok(app.service.buy({ marketId: 'rome', outcome: 'Yes', amount: creditsToMillis(10) }, { realm: 'console', actor: { userId, isModerator: false }, now: T0 }));
  const { client, edits } = slowDiscord();
  return { app, bet, edits, redraws: new MarketCardRedraws(client, app) };
}

it('keeps at most one edit of a card in flight, and the one after it shows the latest state', async () => {
  const { app, bet, edits, redraws } = postedCard('0');

  bet('alice');
  const first = redraws.redraw('rome');
  await settle();
  // Five more trades while the first edit is in flight: one more edit waits for all of them.
  const waiting = ['bob', 'carol', 'dave', 'erin', 'frank'].map((userId) => {
    bet(userId);
    return redraws.redraw('rome');
  });
  await settle();
  expect(edits).toHaveLength(1);

  edits[0]?.finish();
  await first;
  await settle();
  expect(edits).toHaveLength(2);
  const now = slowDiscord();
  void redrawMarketCard(now.client, app, 'rome');
  await settle();
  expect(edits[1]?.body).toEqual(now.edits[0]?.body);
  expect(edits[1]?.body).not.toEqual(edits[0]?.body);

  edits[1]?.finish();
  await Promise.all(waiting);
  expect(edits).toHaveLength(2);
});

it('edits a busy card at most once per CRUX_CARD_REFRESH_SECONDS: the first at once, the next with everything since', async () => {
  const { app, bet, edits, redraws } = postedCard('0.2');

  bet('alice');
  void redraws.redraw('rome');
  await settle();
  expect(edits).toHaveLength(1);
  edits[0]?.finish();
  bet('bob');
  const next = redraws.redraw('rome');
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The first edit is done, but the card was edited less than the spacing ago: the next waits.
  expect(edits).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, 250));
  expect(edits).toHaveLength(2);
  const now = slowDiscord();
  void redrawMarketCard(now.client, app, 'rome');
  await settle();
  expect(edits[1]?.body).toEqual(now.edits[0]?.body);
  edits[1]?.finish();
  await next;
});
