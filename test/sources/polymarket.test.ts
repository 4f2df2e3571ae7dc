import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, type SourceRef } from '../../markets/sources/index.ts';
import { POLYMARKET_EVENT_SLUG, POLYMARKET_SLUG, polymarketClosed, polymarketEventMarket, polymarketEvents, polymarketMarket } from './fixtures.ts';
import { polymarketEventMarkets } from '../../markets/sources/polymarket.ts';
import { httpFor, json, startServer, TEST_USER_AGENT, type TestServer } from './server.ts';

const NOW = Date.parse('2026-01-02T00:00:00Z');
const MARKET_PATH = `/markets/slug/${POLYMARKET_SLUG}`;
const ref: SourceRef = { kind: 'polymarket', slug: POLYMARKET_SLUG, url: `https://polymarket.com/event/${POLYMARKET_SLUG}` };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function checkAgainst(reply: unknown) {
  server = await startServer({ [MARKET_PATH]: json(reply) });
  return checkSource(ref, httpFor(server), { now: NOW });
}

describe('Polymarket source', () => {
  it('asks Gamma /markets/slug/{slug} with our User-Agent and reports an open market as pending', async () => {
    const check = await checkAgainst(polymarketMarket());
    expect(check).toEqual({
      kind: 'pending',
      detail: 'Polymarket "Will OpenAI announce AGI in 2025?": open; prices Yes 0.0415, No 0.9585.',
      odds: [
        { label: 'Yes', probability: 0.0415 },
        { label: 'No', probability: 0.9585 },
      ],
    });
    expect(server?.requests.map((request) => request.path)).toEqual([MARKET_PATH]);
    expect(server?.requests[0]?.headers['user-agent']).toBe(TEST_USER_AGENT);
  });

  it('reports a resolved market with payouts "1"/"0" as the winning outcome', async () => {
    expect(await checkAgainst(polymarketClosed('resolved', '["1", "0"]'))).toEqual({
      kind: 'outcome',
      label: 'Yes',
      detail: 'Polymarket "Will OpenAI announce AGI in 2025?" resolved "Yes".',
    });
    await server?.close();
    expect(await checkAgainst(polymarketClosed('resolved', '["0", "1"]'))).toMatchObject({ kind: 'outcome', label: 'No' });
  });

  it('names the winner of a market with its own outcome labels', async () => {
    const check = await checkAgainst(
      polymarketClosed('resolved', '["0", "1"]', { question: 'Lakers vs. Celtics', outcomes: '["Lakers", "Celtics"]' }),
    );
    expect(check).toMatchObject({ kind: 'outcome', label: 'Celtics' });
  });

  it('stays pending while closed but UMA has only a proposal, even at near-certain prices', async () => {
    const check = await checkAgainst(polymarketClosed('proposed', '["0.9995", "0.0005"]'));
    expect(check).toEqual({
      kind: 'pending',
      detail: 'Polymarket "Will OpenAI announce AGI in 2025?": closed, UMA resolution proposed; prices Yes 0.9995, No 0.0005.',
    });
  });

  it('stays pending on an open market whose prices already read "1"/"0"', async () => {
    expect(await checkAgainst(polymarketMarket({ outcomePrices: '["1", "0"]' }))).toMatchObject({ kind: 'pending' });
  });

  it('stays pending when UMA is resolved but prices are still "0.9995"/"0.0005", not settlement payouts', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["0.9995", "0.0005"]'));
    expect(check).toMatchObject({ kind: 'pending', detail: expect.stringContaining('waiting for settlement prices') });
  });

  it('stays pending when one price reads "1" but another is not exactly "0"', async () => {
    expect(await checkAgainst(polymarketClosed('resolved', '["1", "0.0005"]'))).toMatchObject({ kind: 'pending' });
  });

  it('stays pending when closed with no UMA status at all', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["1", "0"]', { umaResolutionStatus: undefined }));
    expect(check).toMatchObject({ kind: 'pending', detail: expect.stringContaining('UMA resolution not started') });
  });

  it('leaves a 50-50 resolution to moderators', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["0.5", "0.5"]'));
    expect(check).toEqual({ kind: 'manual', detail: 'Polymarket "Will OpenAI announce AGI in 2025?" resolved 50-50 (no winner).' });
  });

  it('refuses outcomes sent as a plain array instead of JSON text', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["1", "0"]', { outcomes: ['Yes', 'No'] }));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('outcomes:'), reason: 'reply not understood' });
  });

  it('refuses outcome prices that are not JSON text', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '[1, 0'));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('outcomePrices: expected a JSON-encoded list of strings'), reason: 'reply not understood' });
  });

  it('refuses a reply whose prices do not line up with its outcomes', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["1", "0", "0"]'));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('2 outcomes but 3 prices'), reason: 'reply not understood' });
  });

  it('treats a resolved market without payouts as an error', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["1", "0"]', { outcomePrices: undefined }));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('gives no payouts'), reason: 'reply not understood' });
  });

  it.each(['requested', 'disputed'])('stays pending, not final, while UMA resolution is %s', async (status) => {
    const check = await checkAgainst(polymarketClosed(status, '["1", "0"]'));
    expect(check).toEqual({
      kind: 'pending',
      detail: `Polymarket "Will OpenAI announce AGI in 2025?": closed, UMA resolution ${status}; prices Yes 1, No 0.`,
    });
  });

  it('takes settled as final, like resolved', async () => {
    expect(await checkAgainst(polymarketClosed('settled', '["0", "1"]'))).toEqual({
      kind: 'outcome',
      label: 'No',
      detail: 'Polymarket "Will OpenAI announce AGI in 2025?" resolved "No".',
    });
  });

  it('reads a market whose question and closed are null, as Polymarket\'s own client allows', async () => {
    const open = await checkAgainst(polymarketMarket({ question: null, closed: null, groupItemTitle: 'OpenAI' }));
    expect(open).toMatchObject({ kind: 'pending', detail: 'Polymarket "OpenAI": open; prices Yes 0.0415, No 0.9585.' });
    await server?.close();
    const settled = await checkAgainst(polymarketClosed('settled', '["1", "0"]', { question: null, closed: null }));
    expect(settled).toEqual({ kind: 'outcome', label: 'Yes', detail: 'Polymarket "market 516710" resolved "Yes".' });
  });

  describe('an event whose markets are the outcomes', () => {
    const eventRef: SourceRef = { kind: 'polymarket', slug: POLYMARKET_EVENT_SLUG, scope: 'event', url: `https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}` };
    const EVENT_PATH = `/events?slug=${POLYMARKET_EVENT_SLUG}`;
    const checkEvent = async (markets: Record<string, unknown>[]) => {
      server = await startServer({ [EVENT_PATH]: json(polymarketEvents(markets)) });
      return checkSource(eventRef, httpFor(server), { now: NOW });
    };

    it('asks /events?slug= and gives each market\'s Yes price as the odds of its name while any trades', async () => {
      const check = await checkEvent([
        polymarketEventMarket('Anthropic', { outcomePrices: '["0.3", "0.7"]' }),
        polymarketEventMarket('OpenAI', { outcomePrices: '["0.7", "0.3"]' }),
      ]);
      expect(check).toEqual({
        kind: 'pending',
        detail: 'Polymarket "Which lab claims AGI first?": 2 of its 2 markets not final yet.',
        odds: [
          { label: 'Anthropic', probability: 0.3 },
          { label: 'OpenAI', probability: 0.7 },
        ],
      });
      expect(server?.requests.map((request) => request.path)).toEqual([EVENT_PATH]);
    });

    it('resolves to the name of the one market that paid Yes once every market is final', async () => {
      const check = await checkEvent([
        polymarketEventMarket('Anthropic', { closed: true, umaResolutionStatus: 'settled', outcomePrices: '["0", "1"]' }),
        polymarketEventMarket('OpenAI', { closed: true, umaResolutionStatus: 'resolved', outcomePrices: '["1", "0"]' }),
      ]);
      expect(check).toEqual({ kind: 'outcome', label: 'OpenAI', detail: 'Polymarket "Which lab claims AGI first?" resolved "OpenAI".' });
    });

    it('stays pending while one market still waits for UMA (requested)', async () => {
      const check = await checkEvent([
        polymarketEventMarket('Anthropic', { closed: true, umaResolutionStatus: 'requested', outcomePrices: '["0", "1"]' }),
        polymarketEventMarket('OpenAI', { closed: true, umaResolutionStatus: 'resolved', outcomePrices: '["1", "0"]' }),
      ]);
      expect(check).toMatchObject({ kind: 'pending', detail: expect.stringContaining('1 of its 2 markets not final yet') });
    });

    it('says an event Polymarket does not know is not found', async () => {
      server = await startServer({ [EVENT_PATH]: json([]) });
      expect(await checkSource(eventRef, httpFor(server), { now: NOW })).toEqual({
        kind: 'error',
        message: expect.stringContaining(`Polymarket has no event "${POLYMARKET_EVENT_SLUG}"`),
        reason: 'not found',
      });
    });

    it('lists the markets of a multi-market event with the link of each, and none for a one-market event', async () => {
      server = await startServer({
        [EVENT_PATH]: json(polymarketEvents([polymarketEventMarket('Anthropic'), polymarketEventMarket('OpenAI')])),
        [`/events?slug=${POLYMARKET_SLUG}`]: json(polymarketEvents([polymarketMarket()]).map((event) => ({ ...event, slug: POLYMARKET_SLUG }))),
      });
      expect(await polymarketEventMarkets(POLYMARKET_EVENT_SLUG, httpFor(server))).toEqual([
        { name: 'Anthropic', slug: `${POLYMARKET_EVENT_SLUG}-anthropic`, link: `https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}/${POLYMARKET_EVENT_SLUG}-anthropic` },
        { name: 'OpenAI', slug: `${POLYMARKET_EVENT_SLUG}-openai`, link: `https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}/${POLYMARKET_EVENT_SLUG}-openai` },
      ]);
      expect(await polymarketEventMarkets(POLYMARKET_SLUG, httpFor(server))).toEqual([]);
    });

    it('says an event link linked as a market is an event of several markets, naming them, instead of not found for ever', async () => {
      server = await startServer({
        [EVENT_PATH]: json(polymarketEvents([polymarketEventMarket('Anthropic'), polymarketEventMarket('OpenAI')])),
      });
      const legacy: SourceRef = { kind: 'polymarket', slug: POLYMARKET_EVENT_SLUG, url: `https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}` };
      expect(await checkSource(legacy, httpFor(server), { now: NOW })).toEqual({
        kind: 'error',
        message: `Polymarket event "${POLYMARKET_EVENT_SLUG}" has 2 markets; link one of them (/mod link): Anthropic <https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}/${POLYMARKET_EVENT_SLUG}-anthropic>, OpenAI <https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}/${POLYMARKET_EVENT_SLUG}-openai>.`,
        reason: 'an event of several markets: link one',
      });
      expect(server.requests.map((request) => request.path)).toEqual([`/markets/slug/${POLYMARKET_EVENT_SLUG}`, EVENT_PATH]);
    });
  });
});
