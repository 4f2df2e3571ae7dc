import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config.ts';
import { configuredSourceHttp } from '../../bot/source-checker.ts';
import { addressKind } from '../../markets/sources/address.ts';
import { checkSource, type SourceRef } from '../../markets/sources/index.ts';
import { internalAddressRefusal, type LinkGuard } from '../../markets/sources/link-guard.ts';
import { fakeResolver, httpFor, LOOPBACK_TEST_GUARD, type Route, startServer, text, type TestServer } from './server.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
/** Documentation and well-known public addresses; never contacted, since only loopback servers are ever fetched. */
const PUBLIC_V4 = '93.184.216.34';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('addressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ['8.8.8.8', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it('is undefined for what is not an IP address', () => {
    for (const text of ['example.org', '1.2.3', '1.2.3.256', '1::2::3', 'gggg::1', '1:2:3:4:5:6:7:8:9', '']) expect(addressKind(text), text).toBeUndefined();
  });
});

describe('internalAddressRefusal', () => {
  const asked: string[] = [];
  const guard: LinkGuard = {
    resolve: async (hostname) => {
      asked.push(hostname);
      return fakeResolver({
        'intranet.test': ['192.168.1.10'],
        'mixed.test': [PUBLIC_V4, '::1'],
        'public.test': [PUBLIC_V4, '2606:4700:4700::1111'],
        'nothing.test': [],
      })(hostname);
    },
  };
  const refusal = (link: string, with_: LinkGuard = guard) => internalAddressRefusal(new URL(link), with_);

  it('refuses internal addresses however the link spells them, without asking DNS for a literal', async () => {
    expect(await refusal('http://127.0.0.1:8080/admin/secrets')).toBe('127.0.0.1 is an internal address (loopback), and Crux only fetches links on the public internet');
    // The URL parser turns these spellings into 127.0.0.1 before Crux sees the host.
    for (const link of ['http://2130706433/', 'http://0x7f.0.0.1/', 'http://127.1/']) expect(await refusal(link), link).toMatch(/^127\.0\.0\.1 is an internal address \(loopback\)/);
    expect(await refusal('http://[::ffff:169.254.169.254]/latest/meta-data/')).toMatch(/internal address \(cloud metadata\)/);
    expect(await refusal('http://169.254.169.254/latest/meta-data/')).toMatch(/^169\.254\.169\.254 is an internal address \(cloud metadata\)/);
    expect(await refusal('http://[fd00:ec2::254]/')).toMatch(/internal address \(cloud metadata\)/);
    expect(asked).toEqual([]);
  });

  it('refuses a host name if any address it resolves to is internal, without naming the address', async () => {
    expect(await refusal('https://intranet.test/wiki')).toBe('intranet.test resolves to an internal address (private), and Crux only fetches links on the public internet');
    expect(await refusal('https://mixed.test/')).toBe('mixed.test resolves to an internal address (loopback), and Crux only fetches links on the public internet');
    expect(await refusal('http://metadata.google.internal/computeMetadata/v1/')).toBe('metadata.google.internal is a cloud metadata service');
    expect(await refusal('https://nowhere.test/')).toBe('Crux could not look up nowhere.test (ENOTFOUND); check the link');
    expect(await refusal('https://nothing.test/')).toBe('nothing.test has no address');
    expect(await refusal('https://public.test/report')).toBeUndefined();
  });

  it('lets the test-only allowLoopback reach 127.0.0.1, and nothing else internal', async () => {
    const loopback = { ...guard, allowLoopback: true };
    expect(await refusal('http://127.0.0.1:8080/', loopback)).toBeUndefined();
    expect(await refusal('http://10.0.0.1/', loopback)).toMatch(/internal address \(private\)/);
    expect(await refusal('http://intranet.test/', loopback)).toMatch(/internal address \(private\)/);
  });
});

describe('fetching a plain URL source', () => {
  /** Every URL fetched, so the test can show nothing but the loopback server was ever contacted. */
  function recordingFetch(fetched: URL[]): typeof fetch {
    return (input, init) => {
      fetched.push(new URL(String(input)));
      return fetch(input, init);
    };
  }

  async function check(routes: Record<string, Route>, path: string, guard: LinkGuard | undefined, fetched: URL[] = []) {
    server = await startServer(routes);
    const ref: SourceRef = { kind: 'url', url: `${server.baseUrl}${path}` };
    // A generous timeout: it covers every hop, and these tests are about addresses, not slow servers.
    const http = { ...httpFor(server, { fetch: recordingFetch(fetched), timeoutMs: 5_000 }), ...(guard === undefined ? { linkGuard: undefined } : { linkGuard: guard }) };
    return checkSource(ref, http, { now: NOW });
  }

  const redirect = (location: string, status = 302): Route => (_request, response) => {
    response.writeHead(status, { location });
    response.end();
  };

  it('refuses a link to the bot machine itself and never sends it a request', async () => {
    const check_ = await check({ '/admin/secrets': text('root password') }, '/admin/secrets', { resolve: fakeResolver({}) });
    expect(check_).toEqual({ kind: 'error', message: expect.stringMatching(/^Refused to fetch http:\/\/127\.0\.0\.1:\d+\/admin\/secrets: 127\.0\.0\.1 is an internal address \(loopback\)/), reason: 'link refused' });
    expect(server?.requests).toEqual([]);
  });

  it('is not fetched at all without an address check', async () => {
    const check_ = await check({ '/page': text('hello') }, '/page', undefined);
    expect(check_).toMatchObject({ kind: 'error', message: expect.stringContaining('no address check is set up') });
    expect(server?.requests).toEqual([]);
  });

  it('checks every redirect before following it: one to an internal name is refused unfetched, one to a public page is followed', async () => {
    const fetched: URL[] = [];
    const guard = { resolve: fakeResolver({ 'metadata-alias.test': ['169.254.169.254'] }), allowLoopback: true };
    const refused = await check({ '/start': redirect('http://metadata-alias.test/latest/meta-data/iam') }, '/start', guard, fetched);
    expect(refused).toEqual({
      kind: 'error',
      message: 'Refused to fetch http://metadata-alias.test/latest/meta-data/iam: metadata-alias.test resolves to an internal address (cloud metadata), and Crux only fetches links on the public internet.',
      reason: 'link refused',
    });
    await server?.close();

    const followed = await check({ '/start': redirect('/middle', 301), '/middle': redirect('/final', 307), '/final': text('<title>Final</title>') }, '/start', guard, fetched);
    expect(followed).toMatchObject({ kind: 'evidence', status: 200, title: 'Final' });
    expect(fetched.map((url) => url.hostname)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(server?.requests.map((request) => request.path)).toEqual(['/start', '/middle', '/final']);
  });

  it('refuses a redirect loop after five hops', async () => {
    const check_ = await check({ '/loop': redirect('/loop') }, '/loop', LOOPBACK_TEST_GUARD);
    expect(check_).toMatchObject({ kind: 'error', message: expect.stringMatching(/redirects more than 5 times; not followed\.$/) });
    expect(server?.requests).toHaveLength(6);
  });
});

describe('a member link connects only to the address that was checked', () => {
  /** Answers each name from `answers` in turn (the last one again once they run out), recording every question. */
  function changingDns(answers: Readonly<Record<string, readonly (readonly string[] | 'hang')[]>>, allowLoopback = false): LinkGuard & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      allowLoopback,
      resolve: (hostname) => {
        const turns = answers[hostname] ?? [];
        const answer = turns[Math.min(asked.filter((name) => name === hostname).length, turns.length - 1)];
        asked.push(hostname);
        if (answer === 'hang') return new Promise(() => undefined);
        return fakeResolver(answer === undefined ? {} : { [hostname]: answer })(hostname);
      },
    };
  }

  /** The member-link context exactly as the bot wires it, on `guard`. */
  async function checkAsTheBot(routes: Record<string, Route>, link: (port: string) => string, guard: LinkGuard, env: Record<string, string> = {}) {
    server = await startServer(routes);
    const port = new URL(server.baseUrl).port;
    const http = configuredSourceHttp(loadConfig({ CRUX_DATABASE: ':memory:', ...env }), guard).url;
    return { port, check: await checkSource({ kind: 'url', url: link(port) }, http, { now: NOW }) };
  }

  it('refuses a host that answers the check with a public address and the connection with 127.0.0.1, and sends it nothing', async () => {
    const guard = changingDns({ localhost: [[PUBLIC_V4], ['127.0.0.1']] });
    const { port, check: check_ } = await checkAsTheBot({ '/': text('<title>Internal admin</title>') }, (port_) => `http://localhost:${port_}/`, guard);
    expect(check_).toEqual({
      kind: 'error',
      message: `Refused to fetch http://localhost:${port}/: localhost resolves to an internal address (loopback), and Crux only fetches links on the public internet.`,
      reason: 'link refused',
    });
    expect(server?.requests).toEqual([]);
    expect(guard.asked).toEqual(['localhost', 'localhost']);
  });

  it('still reaches an allowed address by name, and asks again for every redirect', async () => {
    const guard = changingDns({ localhost: [['127.0.0.1']], 'loopback-alias.test': [['127.0.0.1']] }, true);
    const routes: Record<string, Route> = {
      '/start': (request, response) => {
        response.writeHead(302, { location: `http://loopback-alias.test:${new URL(`http://${request.headers.host ?? ''}`).port}/final` });
        response.end();
      },
      '/final': text('<title>Final</title>'),
    };
    const { check: check_ } = await checkAsTheBot(routes, (port) => `http://localhost:${port}/start`, guard);
    expect(check_).toMatchObject({ kind: 'evidence', status: 200, title: 'Final' });
    expect(server?.requests.map((request) => request.path)).toEqual(['/start', '/final']);
    expect(guard.asked).toEqual(['localhost', 'localhost', 'loopback-alias.test', 'loopback-alias.test']);
  });

  it('times out when DNS stops answering between the check and the connection', async () => {
    const guard = changingDns({ localhost: [['127.0.0.1'], 'hang'] }, true);
    const { check: check_ } = await checkAsTheBot({ '/': text('hello') }, (port) => `http://localhost:${port}/`, guard, { CRUX_SOURCE_TIMEOUT_MS: '200' });
    expect(check_).toEqual({ kind: 'error', message: expect.stringContaining('did not answer within 200 ms'), reason: 'timed out' });
    expect(server?.requests).toEqual([]);
  });
});
