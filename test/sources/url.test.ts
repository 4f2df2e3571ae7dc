import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../markets/sources/http.ts';
import { checkSource, type SourceRef } from '../../markets/sources/index.ts';
import { httpFor, json, type Route, stall, startServer, TEST_TIMEOUT_MS, TEST_USER_AGENT, text, type TestServer } from './server.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8">
  <title>
    Responsible Scaling Policy &amp; ASL-3 &#8212; update
  </title></head>
<body><p>We have activated ASL-3 protections.</p></body></html>`;
const STATUS_REPLY = {
  data: { items: [{ name: 'eval-suite', status: 'passed', score: 0.93, flagged: false, reviewer: null }] },
  meta: { generatedAt: '2025-05-30T12:00:00Z' },
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sha256(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

async function checkPage(route: Route, extra: Partial<Extract<SourceRef, { kind: 'url' }>> = {}, previousContentHash?: string) {
  server = await startServer({ '/report': route });
  const ref: SourceRef = { kind: 'url', url: `${server.baseUrl}/report`, ...extra };
  return checkSource(ref, httpFor(server), { now: NOW, ...(previousContentHash === undefined ? {} : { previousContentHash }) });
}

describe('plain URL source', () => {
  it('reports status, title and content hash, sending our User-Agent', async () => {
    const check = await checkPage(text(PAGE));
    expect(check).toEqual({
      kind: 'evidence',
      url: `${server?.baseUrl}/report`,
      status: 200,
      reachable: true,
      title: 'Responsible Scaling Policy & ASL-3 — update',
      contentHash: sha256(PAGE),
    });
    expect(server?.requests[0]?.headers['user-agent']).toBe(TEST_USER_AGENT);
  });

  it('says whether the page changed since the previous check', async () => {
    expect(await checkPage(text(PAGE), {}, sha256(PAGE))).toMatchObject({ changed: false });
    await server?.close();
    expect(await checkPage(text(PAGE), {}, sha256('the page as it was when linked'))).toMatchObject({ changed: true });
  });

  it('reports an error status as an unreachable page, not a failed check', async () => {
    const check = await checkPage(text('<html><head><title>404 Not Found</title></head></html>', 404));
    expect(check).toMatchObject({ kind: 'evidence', status: 404, reachable: false, title: '404 Not Found' });
  });

  it('omits the title when the page has none', async () => {
    const check = await checkPage(text('plain words', 200, 'text/plain'));
    expect(check).toMatchObject({ kind: 'evidence', reachable: true });
    expect(check).not.toHaveProperty('title');
  });

  it('finds the title in one pass, so a page of unclosed <title> tags is answered like any other', async () => {
    // 1.4 MB of them: the old search, run again from every tag, took 21.6 s on a page of 560 KB and four times as
    // long for each doubling, so it could not answer within the test's time.
    const check = await checkPage(text('<title>'.repeat(200_000), 200));
    expect(check).toMatchObject({ kind: 'evidence', reachable: true });
    expect(check).not.toHaveProperty('title');
  });

  it('reads the value at a JSON path and compares it with the expected value', async () => {
    const check = await checkPage(json(STATUS_REPLY), { jsonPath: 'data.items.0.status', expected: 'passed' });
    expect(check).toMatchObject({
      kind: 'evidence',
      reachable: true,
      contentHash: sha256(JSON.stringify(STATUS_REPLY)),
      json: { path: 'data.items.0.status', found: true, value: 'passed', matchesExpected: true },
    });
  });

  it('says when the value differs from the expected one, comparing by type as well', async () => {
    expect(await checkPage(json(STATUS_REPLY), { jsonPath: 'data.items.0.score', expected: '0.93' })).toMatchObject({
      json: { found: true, value: 0.93, matchesExpected: false },
    });
    await server?.close();
    expect(await checkPage(json(STATUS_REPLY), { jsonPath: 'data.items.0.reviewer', expected: null })).toMatchObject({
      json: { found: true, value: null, matchesExpected: true },
    });
  });

  it('reports a value without judging it when nothing is expected', async () => {
    const check = await checkPage(json(STATUS_REPLY), { jsonPath: 'data.items.0.flagged' });
    expect(check).toMatchObject({ json: { path: 'data.items.0.flagged', found: true, value: false } });
    expect(check).not.toHaveProperty('json.matchesExpected');
  });

  it.each(['data.items.1.status', 'data.missing', 'data.items.status', 'data.constructor', 'meta.generatedAt.length'])(
    'reports path %s as not found',
    async (jsonPath) => {
      const check = await checkPage(json(STATUS_REPLY), { jsonPath, expected: 'passed' });
      expect(check).toMatchObject({ json: { path: jsonPath, found: false, matchesExpected: false } });
    },
  );

  it('treats a JSON check on a reply that is not JSON as an error', async () => {
    const check = await checkPage(text(PAGE), { jsonPath: 'data.status' });
    expect(check).toEqual({
      kind: 'error',
      message: `${new URL(server?.baseUrl ?? '').host} sent a reply that is not valid JSON (${server?.baseUrl}/report).`,
      reason: 'reply not understood',
    });
  });

  it('times out on a page that never answers', async () => {
    const check = await checkPage(stall());
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining(`did not answer within ${TEST_TIMEOUT_MS} ms`), reason: 'timed out' });
  });

  it('stops reading a body that grows past the limit', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const oversized: Route = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.byteLength) response.write(chunk);
      response.end();
    };
    server = await startServer({ '/big': oversized });
    const check = await checkSource({ kind: 'url', url: `${server.baseUrl}/big` }, httpFor(server, { timeoutMs: 5000 }), {
      now: NOW,
    });
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('sent more than 10 MiB'), reason: 'reply too large' });
  });

  it('refuses a body announced as over the limit without waiting for it', async () => {
    const announced: Route = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(MAX_BODY_BYTES + 1) });
      response.write('a');
    };
    const check = await checkPage(announced);
    expect(check).toEqual({ kind: 'error', message: expect.stringContaining('sent more than 10 MiB'), reason: 'reply too large' });
  });
});
