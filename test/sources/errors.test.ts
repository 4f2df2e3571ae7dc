import { afterEach, describe, expect, it } from 'vitest';
import { checkSource, type SourceCheck, type SourceRef } from '../../markets/sources/index.ts';
import {
  MANIFOLD_SLUG,
  METACULUS_POST_ID,
  POLYMARKET_SLUG,
  manifoldBinaryMarket,
  metaculusPost,
  polymarketMarket,
} from './fixtures.ts';
import {
  httpFor,
  json,
  type Route,
  stall,
  stallMidBody,
  startServer,
  TEST_TIMEOUT_MS,
  TEST_USER_AGENT,
  text,
  type TestServer,
} from './server.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');

interface Platform {
  readonly name: string;
  readonly ref: SourceRef;
  readonly path: string;
  /** A real-looking reply with one field of the wrong type. */
  readonly mismatched: unknown;
  /** How the platform words a 404. */
  readonly notFound: unknown;
}

const platforms: readonly Platform[] = [
  {
    name: 'Manifold',
    ref: { kind: 'manifold', slug: MANIFOLD_SLUG, url: `https://manifold.markets/Austin/${MANIFOLD_SLUG}` },
    path: `/v0/slug/${MANIFOLD_SLUG}`,
    mismatched: manifoldBinaryMarket({ isResolved: 'true', resolution: 'YES' }),
    notFound: { message: 'Contract not found' },
  },
  {
    name: 'Metaculus',
    ref: { kind: 'metaculus', postId: METACULUS_POST_ID, url: `https://www.metaculus.com/questions/${METACULUS_POST_ID}/` },
    path: `/api/posts/${METACULUS_POST_ID}/`,
    mismatched: metaculusPost({ status: 'resolved', resolution: 1 }),
    notFound: { detail: 'No Post matches the given query.' },
  },
  {
    name: 'Polymarket',
    ref: { kind: 'polymarket', slug: POLYMARKET_SLUG, url: `https://polymarket.com/market/${POLYMARKET_SLUG}` },
    path: `/markets/slug/${POLYMARKET_SLUG}`,
    mismatched: polymarketMarket({ closed: 'true', umaResolutionStatus: 'resolved', outcomePrices: '["1", "0"]' }),
    notFound: { type: 'not found error', error: 'id not found' },
  },
];

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function checkWith(platform: Platform, route: Route): Promise<SourceCheck> {
  server = await startServer({ [platform.path]: route });
  return checkSource(platform.ref, httpFor(server), { now: NOW });
}

describe.each(platforms)('$name failures are error checks, never resolutions', (platform) => {
  it('malformed JSON', async () => {
    const check = await checkWith(platform, text('{"id": "abc", "isResolved": tr', 200, 'application/json'));
    expect(check).toEqual({
      kind: 'error',
      message: `${platform.name} sent a reply that is not valid JSON (${server?.baseUrl}${platform.path}).`,
      reason: 'reply not understood',
    });
  });

  it('a reply that does not match the schema', async () => {
    const check = await checkWith(platform, json(platform.mismatched));
    expect(check).toEqual({
      kind: 'error',
      message: expect.stringContaining(`${platform.name} replied in a shape we do not understand`),
      reason: 'reply not understood',
    });
  });

  it('HTTP 500, quoting the body', async () => {
    const check = await checkWith(platform, text('upstream exploded', 500, 'text/plain'));
    expect(check).toEqual({
      kind: 'error',
      message: `${platform.name} answered HTTP 500 for ${server?.baseUrl}${platform.path}: upstream exploded`,
      reason: 'HTTP 500',
    });
  });

  it('HTTP 404, saying the link may be wrong', async () => {
    const check = await checkWith(platform, json(platform.notFound, 404));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('answered HTTP 404 (not found: check the link)'), reason: 'not found' });
    expect(check).toMatchObject({ kind: 'error', message: expect.stringContaining(JSON.stringify(platform.notFound)) });
  });

  it('a server that never answers, cut off at the timeout', async () => {
    const started = performance.now();
    const check = await checkWith(platform, stall());
    const elapsed = performance.now() - started;
    expect(check).toEqual({
      kind: 'error',
      message: `${platform.name} did not answer within ${TEST_TIMEOUT_MS} ms (${server?.baseUrl}${platform.path}).`,
      reason: 'timed out',
    });
    expect(elapsed).toBeGreaterThanOrEqual(TEST_TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(TEST_TIMEOUT_MS * 10);
    expect(server?.requests[0]?.headers['user-agent']).toBe(TEST_USER_AGENT);
  });

  it('a server that stalls halfway through the body, cut off at the timeout', async () => {
    const check = await checkWith(platform, stallMidBody('{"id": '));
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining(`did not answer within ${TEST_TIMEOUT_MS} ms`), reason: 'timed out' });
  });

  it('a refused connection', async () => {
    server = await startServer({});
    const deadBaseUrl = server.baseUrl;
    await server.close();
    server = undefined;
    const check = await checkSource(platform.ref, { fetch, baseUrl: deadBaseUrl, timeoutMs: 1000, userAgent: TEST_USER_AGENT }, { now: NOW });
    expect(check).toEqual({
      kind: 'error',
      message: `Could not reach ${platform.name} at ${deadBaseUrl}${platform.path}: ECONNREFUSED.`,
      reason: 'unreachable (ECONNREFUSED)',
    });
  });
});

describe('checkSource', () => {
  it('uses the injected fetch, and turns anything it throws into an error check', async () => {
    const ref = platforms[0]?.ref;
    if (ref === undefined) throw new Error('no platform fixtures');
    const calls: string[] = [];
    const brokenFetch: typeof fetch = (input) => {
      calls.push(String(input));
      return Promise.reject(new Error('socket hang up'));
    };
    const check = await checkSource(ref, { fetch: brokenFetch, timeoutMs: 1000, userAgent: TEST_USER_AGENT }, { now: NOW });
    expect(calls).toEqual([`https://api.manifold.markets/v0/slug/${MANIFOLD_SLUG}`]);
    expect(check).toEqual({
      kind: 'error',
      message: `Could not reach Manifold at https://api.manifold.markets/v0/slug/${MANIFOLD_SLUG}: socket hang up.`,
      reason: 'unreachable (socket hang up)',
    });
  });
});
