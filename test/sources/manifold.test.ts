import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, type SourceRef } from '../../markets/sources/index.ts';
import {
  MANIFOLD_MARKET_ID,
  MANIFOLD_SLUG,
  manifoldBinaryMarket,
  manifoldMultipleChoiceMarket,
  manifoldResolvedBinary,
} from './fixtures.ts';
import { httpFor, json, startServer, TEST_USER_AGENT, type TestServer } from './server.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const bySlug: SourceRef = { kind: 'manifold', slug: MANIFOLD_SLUG, url: `https://manifold.markets/Austin/${MANIFOLD_SLUG}` };
const byId: SourceRef = { kind: 'manifold', id: MANIFOLD_MARKET_ID, url: `https://manifold.markets/Austin/${MANIFOLD_SLUG}` };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function checkAgainst(reply: unknown, ref: SourceRef = bySlug, now = NOW) {
  const path = ref.kind === 'manifold' && ref.id !== undefined ? `/v0/market/${ref.id}` : `/v0/slug/${MANIFOLD_SLUG}`;
  server = await startServer({ [path]: json(reply) });
  return checkSource(ref, httpFor(server), { now });
}

describe('Manifold source', () => {
  it('asks /v0/slug/{slug} with our User-Agent and reports an open market as pending with its probability', async () => {
    const check = await checkAgainst(manifoldBinaryMarket());
    expect(check).toEqual({
      kind: 'pending',
      detail: 'Manifold "Will debate-based scalable oversight beat the RLHF baseline by 2026?": open; 73% YES.',
      odds: [
        { label: 'YES', probability: 0.7297013916083325 },
        { label: 'NO', probability: 1 - 0.7297013916083325 },
      ],
    });
    expect(server?.requests).toHaveLength(1);
    expect(server?.requests[0]?.path).toBe(`/v0/slug/${MANIFOLD_SLUG}`);
    expect(server?.requests[0]?.headers['user-agent']).toBe(TEST_USER_AGENT);
  });

  it('prefers the stable market id, asking /v0/market/{id}', async () => {
    const check = await checkAgainst(manifoldResolvedBinary('NO'), byId);
    expect(check).toMatchObject({ kind: 'outcome', label: 'NO' });
    expect(server?.requests[0]?.path).toBe(`/v0/market/${MANIFOLD_MARKET_ID}`);
  });

  it('says when trading has closed but the market awaits resolution', async () => {
    const check = await checkAgainst(manifoldBinaryMarket({ closeTime: NOW - 1000 }));
    expect(check).toEqual({
      kind: 'pending',
      detail: expect.stringContaining('trading closed 2025-05-31, awaiting resolution; 73% YES'),
      odds: [
        { label: 'YES', probability: 0.7297013916083325 },
        { label: 'NO', probability: 1 - 0.7297013916083325 },
      ],
    });
  });

  it('reports resolved YES and resolved NO as outcomes', async () => {
    expect(await checkAgainst(manifoldResolvedBinary('YES'))).toEqual({
      kind: 'outcome',
      label: 'YES',
      detail: 'Manifold "Will debate-based scalable oversight beat the RLHF baseline by 2026?" resolved YES.',
    });
    await server?.close();
    expect(await checkAgainst(manifoldResolvedBinary('NO'))).toMatchObject({ kind: 'outcome', label: 'NO' });
  });

  it('reports CANCEL as a cancellation', async () => {
    expect(await checkAgainst(manifoldResolvedBinary('CANCEL'))).toMatchObject({ kind: 'cancel' });
  });

  it('reports an MKT resolution as a probability for moderators, not an outcome', async () => {
    const check = await checkAgainst(
      manifoldResolvedBinary('YES', { resolution: 'MKT', resolutionProbability: 0.62, probability: 0.62 }),
    );
    expect(check).toEqual({
      kind: 'probability',
      probability: 0.62,
      detail: 'Manifold "Will debate-based scalable oversight beat the RLHF baseline by 2026?" resolved MKT at 62%.',
    });
  });

  it('leaves a numeric market resolved at a value to moderators: its resolutionProbability is a place on its scale', async () => {
    const numeric = { outcomeType: 'PSEUDO_NUMERIC', min: 0, max: 10_000 };
    const check = await checkAgainst(manifoldResolvedBinary('YES', { ...numeric, resolution: 'MKT', resolutionProbability: 0.42, resolutionValue: 4_200, probability: 0.42 }));
    expect(check).toEqual({
      kind: 'manual',
      detail: 'Manifold "Will debate-based scalable oversight beat the RLHF baseline by 2026?" is a pseudo_numeric market, resolved at 4200: a moderator decides what that means here.',
    });
    const open = await checkAgainst(manifoldBinaryMarket({ ...numeric, probability: 0.42 }));
    expect(open).toMatchObject({ kind: 'pending' });
    expect(open.kind === 'pending' && open.detail).not.toContain('YES');
  });

  it('refuses a probability outside 0 to 1 as a reply it does not understand', async () => {
    const check = await checkAgainst(manifoldResolvedBinary('YES', { resolution: 'MKT', resolutionProbability: 1.3 }));
    expect(check).toMatchObject({ kind: 'error', reason: 'reply not understood' });
  });

  it('does not trust isResolved alone: a resolution value on an unresolved market is still pending', async () => {
    const check = await checkAgainst(manifoldBinaryMarket({ isResolved: false, resolution: 'YES' }));
    expect(check.kind).toBe('pending');
  });

  it('maps a multiple-choice resolution (an answer id) to that answer\'s text', async () => {
    const check = await checkAgainst(
      manifoldMultipleChoiceMarket(
        { isResolved: true, resolution: 'PI806hsqn2', resolutionTime: 1_735_689_600_000 },
        { resolutionTime: 1_735_689_600_000 },
      ),
    );
    expect(check).toMatchObject({ kind: 'outcome', label: 'OpenAI' });
  });

  it('describes an open multiple-choice market by its leading answer', async () => {
    const check = await checkAgainst(manifoldMultipleChoiceMarket());
    expect(check).toMatchObject({ kind: 'pending', detail: expect.stringContaining('leading answer "Anthropic" at 41%') });
    expect(check).toMatchObject({
      odds: [
        { label: 'Anthropic', probability: 0.41 },
        { label: 'OpenAI', probability: 0.33 },
        { label: 'Google DeepMind', probability: 0.26 },
      ],
    });
  });

  it('leaves split and answer-by-answer multiple-choice resolutions to moderators', async () => {
    const split = await checkAgainst(manifoldMultipleChoiceMarket({ isResolved: true, resolution: 'CHOOSE_MULTIPLE' }));
    expect(split).toMatchObject({ kind: 'manual', detail: expect.stringContaining('split') });
    await server?.close();
    const independent = manifoldMultipleChoiceMarket({
      isResolved: true,
      resolution: 'MKT',
      // Manifold copies the last resolved answer's probability here; it says nothing about the market as a whole.
      resolutionProbability: 0.33,
      shouldAnswersSumToOne: false,
    });
    const answers = independent['answers'] as Record<string, unknown>[];
    answers.forEach((answer, index) => Object.assign(answer, { resolution: index === 1 ? 'YES' : 'NO' }));
    expect(await checkAgainst(independent)).toEqual({
      kind: 'manual',
      detail: expect.stringContaining('Anthropic: NO, OpenAI: YES, Google DeepMind: NO'),
    });
  });

  it('treats a resolution that names no answer as an error, never as an outcome', async () => {
    const check = await checkAgainst(manifoldMultipleChoiceMarket({ isResolved: true, resolution: 'notAnAnswer' }));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('"notAnAnswer", which is none of its answers'), reason: 'reply not understood' });
  });

  it('treats a resolved market without a resolution as an error', async () => {
    const check = await checkAgainst(manifoldBinaryMarket({ isResolved: true }));
    expect(check.kind).toBe('error');
  });

  it('treats MKT without a resolution probability as an error', async () => {
    const check = await checkAgainst(manifoldResolvedBinary('YES', { resolution: 'MKT' }));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('no resolution probability'), reason: 'reply not understood' });
  });

  it('keeps a mirror\'s path prefix in the base URL', async () => {
    server = await startServer({ [`/mirror/manifold/v0/slug/${MANIFOLD_SLUG}`]: json(manifoldResolvedBinary('YES')) });
    const check = await checkSource(bySlug, httpFor(server, { baseUrl: `${server.baseUrl}/mirror/manifold` }), { now: NOW });
    expect(check).toMatchObject({ kind: 'outcome', label: 'YES' });
  });
});
