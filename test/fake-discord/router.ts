import type { IncomingHttpHeaders } from 'node:http';
import type { UploadedFile } from './multipart.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `'/channels/:channelId/messages/:messageId'` → `'channelId' | 'messageId'`. */
type ParamNames<Path extends string> = Path extends `${string}:${infer Param}/${infer Rest}`
  ? Param | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Param}`
    ? Param
    : never;

export interface RouteRequest<Param extends string> {
  param(name: Param): string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  files: UploadedFile[];
}

export type RouteResponse =
  | { status: number; json?: unknown }
  | { status: number; bytes: Buffer; contentType: string };

export type RouteHandler<Path extends string> = (
  request: RouteRequest<ParamNames<Path>>,
) => RouteResponse | Promise<RouteResponse>;

export interface RouteOptions {
  /** Interaction callbacks and webhook routes authenticate with the token in the path instead of a bot token. */
  requiresBotToken?: boolean;
}

export type IncomingRouteRequest = Omit<RouteRequest<string>, 'param'>;

export interface MatchedRoute {
  requiresBotToken: boolean;
  handle(request: IncomingRouteRequest): RouteResponse | Promise<RouteResponse>;
}

interface Route {
  method: HttpMethod;
  pattern: RegExp;
  requiresBotToken: boolean;
  handle(groups: Record<string, string>, request: IncomingRouteRequest): RouteResponse | Promise<RouteResponse>;
}

/** Matches `METHOD /path/:param` routes; parameters are read through a typed `param(name)`. */
export class Router {
  readonly #routes: Route[] = [];

  on<Path extends string>(
    method: HttpMethod,
    path: Path,
    handler: RouteHandler<Path>,
    { requiresBotToken = true }: RouteOptions = {},
  ): this {
    const pattern = new RegExp(
      `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`,
    );
    this.#routes.push({
      method,
      pattern,
      requiresBotToken,
      handle: (groups, request) =>
        handler({
          ...request,
          param: (name) => {
            const value = groups[name];
            if (value === undefined) throw new Error(`Route ${path} has no parameter ${name}`);
            return value;
          },
        }),
    });
    return this;
  }

  match(method: string, path: string): MatchedRoute | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const groups = { ...match.groups };
      return { requiresBotToken: route.requiresBotToken, handle: (request) => route.handle(groups, request) };
    }
    return undefined;
  }
}
