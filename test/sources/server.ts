import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceHttp } from '../../markets/sources/index.ts';
import type { LinkGuard, ResolveHost } from '../../markets/sources/link-guard.ts';

export const TEST_USER_AGENT = 'CruxTest/1.0 (+https://example.invalid/crux)';
export const TEST_TIMEOUT_MS = 200;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A loopback server on a random port answering only the given paths; anything else is a 404. */
export async function startServer(routes: Readonly<Record<string, Route>>): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? '', path, headers: request.headers });
    const route = routes[path];
    if (route === undefined) json({ message: `no route for ${path}` }, 404)(request, response);
    else route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Stalled replies keep their sockets open; without this, close() would wait for them forever.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Resolves the test's own host names from a table; any other name is not found, so no test ever asks real DNS. */
export function fakeResolver(table: Readonly<Record<string, readonly string[]>>): ResolveHost {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`no test address for ${hostname}`), { code: 'ENOTFOUND' });
    return addresses;
  };
}

/** Member links in these tests point at the loopback test server, which only the test-only `allowLoopback` permits. */
export const LOOPBACK_TEST_GUARD: LinkGuard = { resolve: fakeResolver({}), allowLoopback: true };

export function httpFor(server: TestServer, overrides: Partial<SourceHttp> = {}): SourceHttp {
  return { fetch, baseUrl: server.baseUrl, timeoutMs: TEST_TIMEOUT_MS, userAgent: TEST_USER_AGENT, linkGuard: LOOPBACK_TEST_GUARD, ...overrides };
}

export function json(body: unknown, status = 200): Route {
  return text(JSON.stringify(body), status, 'application/json');
}

export function text(body: string, status = 200, contentType = 'text/html; charset=utf-8'): Route {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  };
}

/** Never answers, like a platform that has hung. */
export function stall(): Route {
  return () => undefined;
}

/** Sends headers and the first bytes of a body, then hangs mid-reply. */
export function stallMidBody(firstBytes: string): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write(firstBytes);
  };
}
