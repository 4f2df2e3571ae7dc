import { afterEach, expect, it } from 'vitest';
import { driveConsole, testApp } from '../support/app.ts';
import { T0 } from '../support/engine.ts';
import { MANIFOLD_SLUG, manifoldBinaryMarket, manifoldResolvedBinary } from '../sources/fixtures.ts';
import { json, type Route, startServer, type TestServer } from '../sources/server.ts';

const HOUR = 60 * 60 * 1000;
const MARKET = 'debate-based-oversight-beat-rlhf-2026';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it('runs the whole resolution path in the console: link, poll, list, accept, resolved', async () => {
  const routes: Record<string, Route> = { [`/v0/slug/${MANIFOLD_SLUG}`]: json(manifoldBinaryMarket()) };
  server = await startServer(routes);
  const h = testApp({ CRUX_MANIFOLD_API_BASE: server.baseUrl, CRUX_SOURCE_POLL_MINUTES: '30', CRUX_SOURCE_TIMEOUT_MS: '500' });

  const before = await driveConsole(h, [
    `/market open question:Will debate-based oversight beat RLHF by 2026? criteria:As Manifold resolves. closes:2027-06-30`,
    `/mod link market:${MARKET} url:https://manifold.markets/Austin/${MANIFOLD_SLUG}`,
    '/as bob',
    `/bet market:${MARKET} outcome:Yes amount:100`,
    '/poll',
    '/proposals',
    '/as mod --moderator',
    '/poll',
    '/proposals',
  ]);
  expect(before).toContain(`🔗 Linked https://manifold.markets/Austin/${MANIFOLD_SLUG} to ${MARKET} as a Manifold source`);
  expect(before).toContain('Only moderators can run the source poller.');
  expect(before).toContain('Only moderators can see resolution proposals.');
  expect(before).toContain('🛰️ Checked 1 source (0 failed); no new proposals.');
  expect(before).toContain('No open resolution proposals.');

  // Manifold resolves the market; an hour later the poller finds it.
  routes[`/v0/slug/${MANIFOLD_SLUG}`] = json(manifoldResolvedBinary('YES'));
  const after = await driveConsole(h, [
    '/poll',
    '/proposals',
    '/as bob',
    '/proposal accept 1',
    '/as mod --moderator',
    '/proposal accept 2',
    '/proposal accept one',
    '/proposal accept 1',
    '/proposals',
    `/market show market:${MARKET}`,
  ], T0 + HOUR);
  expect(after).toContain('🔔 Sources say debate-based-oversight-beat-rlhf-2026 resolved Yes');
  expect(after).toContain('🛰️ Checked 1 source (0 failed); new: #1.');
  expect(after).toContain('[Accept] [Reject]  (buttons work in Discord; here use /proposal accept|reject ID)');
  expect(after).toContain(`#1 ${MARKET} — resolve Yes (pending)\n  Manifold https://manifold.markets/Austin/${MANIFOLD_SLUG}\\: Manifold "`);
  expect(after).toContain('Only moderators can decide resolution proposals.');
  expect(after).toContain('There is no resolution proposal #2.');
  expect(after).toContain('Write /proposal accept ID or /proposal reject ID');
  expect(after).toContain('Proposal #1 accepted by @mod.');
  expect(after.slice(after.indexOf('Proposal #1 accepted'))).toContain('No open resolution proposals.');
  expect(h.app.views.market('console', MARKET).market).toMatchObject({ status: 'resolved', resolution: { outcome: 0, decidedBy: 'mod' } });
  expect(after).toContain(`│ Sources: https://manifold.markets/Austin/${MANIFOLD_SLUG} — ✅ ok, checked ${new Date(T0 + HOUR).toISOString().replace('.000Z', 'Z')}`);
  h.assertVerified();
});

it('lists a proposal to a probability with its percents', async () => {
  const routes: Record<string, Route> = { [`/v0/slug/${MANIFOLD_SLUG}`]: json(manifoldBinaryMarket()) };
  server = await startServer(routes);
  const h = testApp({ CRUX_MANIFOLD_API_BASE: server.baseUrl, CRUX_SOURCE_POLL_MINUTES: '30', CRUX_SOURCE_TIMEOUT_MS: '500' });
  await driveConsole(h, [
    `/market open question:Will debate-based oversight beat RLHF by 2026? criteria:As Manifold resolves. closes:2027-06-30`,
    `/mod link market:${MARKET} url:https://manifold.markets/Austin/${MANIFOLD_SLUG}`,
  ]);
  // Manifold's documented shape of a binary market resolved to a probability: resolution "MKT", resolutionProbability.
  routes[`/v0/slug/${MANIFOLD_SLUG}`] = json(manifoldResolvedBinary('YES', { resolution: 'MKT', resolutionProbability: 0.62, probability: 0.62 }));
  const listed = await driveConsole(h, ['/poll', '/proposals'], T0 + HOUR);
  expect(listed).toContain(`#1 ${MARKET} — resolve to Yes 62% · No 38% (pending)`);
  h.assertVerified();
});
