import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { DiscordApiError } from './errors.ts';
import { RequestFaults } from './faults.ts';
import { parseRequestBody } from './multipart.ts';
import type { UploadedFile } from './multipart.ts';
import { portOf } from './port.ts';
import type { RouteResponse, Router } from './router.ts';

/** One REST call the bot made, as the fake understood it. */
export interface RecordedRequest {
  method: string;
  /** Relative to `/api/v10` for API calls, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  /** The JSON body, or `payload_json` for multipart requests. */
  body: unknown;
  files: UploadedFile[];
  status: number;
  /** No route matched; the fake answered 404 so the gap is visible. */
  unhandled: boolean;
}

export interface Routing {
  /** Routes under `/api/v10`. */
  api: Router;
  /** Everything else, i.e. hosted attachment files. */
  cdn: Router;
  botToken: string;
}

const API_PREFIX = '/api/v10';
/**
 * How long Discord's front (Cloudflare) keeps an idle HTTP/1.1 connection open, without saying so in a Keep-Alive
 * header: the client's own keep-alive decides, as with Discord. Node's server would hint 5 s and close after it.
 */
export const DISCORD_IDLE_CONNECTION_MS = 400_000;

/** The HTTP side of the fake: decodes requests, checks auth, routes, records, answers like Discord. */
export class FakeHttpServer {
  readonly origin: string;
  readonly requests: RecordedRequest[] = [];
  /** Failures and holds tests inject, which apply to API calls before their routes do. */
  readonly faults = new RequestFaults();
  readonly #server: Server;
  #connections = 0;

  private constructor(server: Server) {
    this.#server = server;
    server.keepAliveTimeout = 0;
    server.on('connection', (socket) => {
      this.#connections += 1;
      socket.setTimeout(DISCORD_IDLE_CONNECTION_MS, () => socket.destroy());
    });
    this.origin = `http://127.0.0.1:${portOf(server.address())}`;
  }

  /** Listens first and routes later, because attachment URLs need the origin before routes exist. */
  static async listen(): Promise<FakeHttpServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new FakeHttpServer(server);
  }

  /** The TCP connections clients have opened so far: each one a handshake (and, with Discord, a TLS one). */
  get connectionsOpened(): number {
    return this.#connections;
  }

  /** What to give discord.js as `rest.api`; it appends `/v10` itself. */
  get apiBase(): string {
    return `${this.origin}/api`;
  }

  serve(routing: Routing): void {
    this.#server.on('request', (request, response) => void this.#handle(routing, request, response));
  }

  async close(): Promise<void> {
    // undici keeps connections alive; without this, close() would wait for them to time out.
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((error) => (error ? reject(error) : resolve())));
  }

  async #handle(routing: Routing, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.origin);
    // discord.js percent-encodes segments such as `@original`; ids and tokens never contain `/`.
    const pathname = url.pathname.split('/').map(decodeURIComponent).join('/');
    const isApiCall = pathname.startsWith(`${API_PREFIX}/`);
    const path = isApiCall ? pathname.slice(API_PREFIX.length) : pathname;
    const route = (isApiCall ? routing.api : routing.cdn).match(method, path);
    const recorded: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      body: undefined,
      files: [],
      status: 0,
      unhandled: !route,
    };
    let reply: RouteResponse;
    try {
      const { json, files } = await parseRequestBody(request.headers['content-type'], await buffer(request));
      recorded.body = json;
      recorded.files = files;
      const faulted = isApiCall ? await this.faults.apply(method, path) : undefined;
      if (faulted !== undefined) {
        reply = faulted;
      } else if (!route) {
        console.warn(`[fake-discord] No route for ${method} ${pathname}; answering 404. Add it to test/fake-discord.`);
        reply = { status: 404, json: { message: '404: Not Found', code: 0 } };
      } else if (route.requiresBotToken && request.headers.authorization !== `Bot ${routing.botToken}`) {
        reply = { status: 401, json: { message: '401: Unauthorized', code: 0 } };
      } else {
        reply = await route.handle({ query: url.searchParams, headers: request.headers, body: json, files });
      }
    } catch (error) {
      reply = errorReply(error, `${method} ${pathname}`);
    }
    recorded.status = reply.status;
    this.requests.push(recorded);
    writeReply(response, reply);
  }
}

function errorReply(error: unknown, request: string): RouteResponse {
  if (error instanceof DiscordApiError) return { status: error.status, json: error.toJson() };
  // A bug in the fake itself: make it loud rather than letting discord.js retry into a timeout.
  console.error(`[fake-discord] Handler for ${request} crashed`, error);
  return { status: 500, json: { message: '500: Internal Server Error', code: 0 } };
}

function writeReply(response: ServerResponse, reply: RouteResponse): void {
  if ('bytes' in reply) {
    response.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.bytes);
  } else if (reply.json === undefined) {
    response.writeHead(reply.status).end();
  } else {
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
  }
}
