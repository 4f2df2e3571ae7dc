import { expect } from 'vitest';
import { mod } from '../../bot/commands/mod/index.ts';
import { runHandler } from '../../bot/commands/command.ts';
import { market as marketCommand } from '../../bot/commands/market/index.ts';
import { handleComponent } from '../../bot/components/index.ts';
import { type JobHooks, quietJobHooks } from '../../bot/jobs.ts';
import type { Invocation, OptionValue, Reply } from '../../bot/reply.ts';
import { configuredSourceChecker } from '../../bot/source-checker.ts';
import type { Market } from '../../markets/market.ts';
import type { Actor } from '../../markets/service.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { T0 } from '../support/engine.ts';
import { MANIFOLD_SLUG, METACULUS_POST_ID } from '../sources/fixtures.ts';
import { type Route, startServer, type TestServer } from '../sources/server.ts';

/* The real app on a local server speaking the platforms' shapes, with job hooks that record what they post. */

export const MINUTE = 60_000;
export const MANIFOLD_LINK = `https://manifold.markets/Austin/${MANIFOLD_SLUG}`;
export const METACULUS_LINK = `https://www.metaculus.com/questions/${METACULUS_POST_ID}/compute-threshold-pause/`;
export const MANIFOLD_PATH = `/v0/slug/${MANIFOLD_SLUG}`;
export const METACULUS_PATH = `/api/posts/${METACULUS_POST_ID}/`;

export const moderator: Actor = { userId: 'mod', displayName: 'mod', isModerator: true };
export const alice: Actor = { userId: 'alice', displayName: 'alice', isModerator: false };

export interface Harness {
  t: TestApp;
  server: TestServer;
  /** What the platforms answer now; tests change it between polls. */
  routes: Record<string, Route>;
  clock: { now: number };
  posted: { reply: Reply; market: Market }[];
  hooks: JobHooks;
  run(actor: Actor, subcommand: string, options: Record<string, OptionValue>): Promise<Reply>;
  press(actor: Actor, customId: string): Promise<Reply>;
  select(actor: Actor, customId: string, values: string[]): Promise<Reply>;
}

let harness: Harness | undefined;

/** For afterEach: closes the running harness's server. */
export async function stopHarness(): Promise<void> {
  await harness?.server.close();
  harness = undefined;
}

export async function start(env: Record<string, string> = {}): Promise<Harness> {
  const routes: Record<string, Route> = {};
  const server = await startServer(routes);
  const t = testApp({
    CRUX_MANIFOLD_API_BASE: server.baseUrl,
    CRUX_METACULUS_API_BASE: server.baseUrl,
    CRUX_POLYMARKET_API_BASE: server.baseUrl,
    CRUX_SOURCE_TIMEOUT_MS: '200',
    CRUX_SOURCE_POLL_MINUTES: '30',
    CRUX_SOURCE_MAX_BACKOFF_MINUTES: '720',
    ...env,
  });
  const clock = { now: T0 };
  const posted: Harness['posted'] = [];
  let messages = 0;
  let requests = 0;
  const invocation = (actor: Actor, subcommand: string | null, options: Record<string, OptionValue>): Invocation => ({ realm: 'console',
    command: subcommand === null ? 'component' : 'market',
    subcommand,
    options,
    actor,
    guildId: null,
    channelId: 'markets',
    requestId: `test:${(requests += 1)}`,
    now: clock.now,
  });
  harness = {
    t,
    server,
    routes,
    clock,
    posted,
    hooks: quietJobHooks({
      now: () => clock.now,
      checkSource: configuredSourceChecker(t.app.config, t.app.linkGuard),
      async postToModerators(reply, market) {
        posted.push({ reply, market });
        messages += 1;
        return { channelId: 'mods', messageId: `message-${messages}` };
      },
    }),
    run: async (actor, subcommand, options) => {
      const command = ['open', 'show', 'list'].includes(subcommand) ? marketCommand : mod;
      const asked = { ...invocation(actor, subcommand, options), command: command.data.name };
      return runHandler(() => command.execute(asked, t.app), t.app, {});
    },
    press: async (actor, customId) =>
      runHandler(() => handleComponent({ kind: 'button', customId }, invocation(actor, null, {}), t.app), t.app, {}),
    select: async (actor, customId, values) =>
      runHandler(() => handleComponent({ kind: 'select', customId, values }, invocation(actor, null, {}), t.app), t.app, {}),
  };
  return harness;
}

export async function openLinked(h: Harness, links: string[], id = 'debate-beats-rlhf'): Promise<string> {
  const [first, ...rest] = links;
  const opened = await h.run(alice, 'open', {
    question: 'Will debate-based oversight beat RLHF by 2026?',
    criteria: 'As the linked sources resolve.',
    closes: '2027-06-30',
    ...(first === undefined ? {} : { source: first }),
  });
  expect(opened.ephemeral).toBe(false);
  const marketId = opened.postsMarket ?? id;
  for (const link of rest) expect((await h.run(moderator, 'link', { market: marketId, url: link })).ephemeral).toBe(false);
  return marketId;
}

export function buttonsOf(reply: Reply): string[] {
  return reply.actions.flat().map((action) => action.id);
}
