import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, type SourceRef } from '../../markets/sources/index.ts';
import { POLYMARKET_SLUG, polymarketClosed, polymarketMarket } from './fixtures.ts';
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
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('outcomes:') });
  });

  it('refuses outcome prices that are not JSON text', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '[1, 0'));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('outcomePrices: expected a JSON-encoded list of strings') });
  });

  it('refuses a reply whose prices do not line up with its outcomes', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["1", "0", "0"]'));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('2 outcomes but 3 prices') });
  });

  it('treats a resolved market without payouts as an error', async () => {
    const check = await checkAgainst(polymarketClosed('resolved', '["1", "0"]', { outcomePrices: undefined }));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('gives no payouts') });
  });
});
