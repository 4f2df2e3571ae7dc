import { afterEach, describe, expect, it } from 'vitest';
import { type JobHooks, pollSources, quietJobHooks } from '../../bot/jobs.ts';
import { configuredSourceChecker } from '../../bot/source-checker.ts';
import type { LinkGuard } from '../../markets/sources/link-guard.ts';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';
import { T0 } from '../support/engine.ts';
import { fakeResolver, startServer, text, type TestServer } from '../sources/server.ts';

const PUBLIC_V4 = '93.184.216.34';

let harness: TestApp | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  harness?.assertVerified();
  harness?.db.close();
  harness = undefined;
  await server?.close();
  server = undefined;
});

/** Host names for these tests only; `dns` can be changed mid-test, as DNS can change between linking and polling. */
function guardWith(dns: Record<string, string[]>): LinkGuard & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: async (hostname) => {
      asked.push(hostname);
      return fakeResolver(dns)(hostname);
    },
  };
}

function hooksFor(app: TestApp['app'], guard: LinkGuard, fetched: string[]): JobHooks {
  const recording: typeof fetch = (input, init) => {
    fetched.push(String(input));
    return fetch(input, init);
  };
  return quietJobHooks({
    now: () => T0,
    checkSource: configuredSourceChecker(app.config, guard, recording),
  });
}

const OPEN = '/market open question:Will the lab publish its eval? criteria:YES if it does. closes:2027-06-30';

describe('links given by members stay off internal addresses', () => {
  it('refuses /market open source:http://127.0.0.1:PORT/admin/secrets at link time, in words, and opens nothing', async () => {
    server = await startServer({ '/admin/secrets': text('root password') });
    const h = (harness = testApp({}, guardWith({})));
    const out = await driveConsole(h, [`${OPEN} source:${server.baseUrl}/admin/secrets`]);
    expect(out).toContain('⚠️ That link cannot be a source: 127.0.0.1 is an internal address (loopback), and Crux only fetches links on the public internet.');
    expect(h.app.views.list({ realm: 'console' })).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('refuses /mod link to a private name or the metadata service, asks DNS only for moderators, and links a public page', async () => {
    const guard = guardWith({ 'intranet.test': ['192.168.1.10'], 'public.test': [PUBLIC_V4] });
    const h = (harness = testApp({}, guard));
    const out = await driveConsole(h, [
      '/as mod --moderator',
      OPEN,
      '/as eve',
      '/mod link market:lab-publish-its-eval url:https://intranet.test/wiki',
      '/as mod --moderator',
      '/mod link market:lab-publish-its-eval url:https://intranet.test/wiki',
      '/mod link market:lab-publish-its-eval url:http://metadata.google.internal/computeMetadata/v1/',
      '/mod link market:lab-publish-its-eval url:http://[::ffff:169.254.169.254]/latest/',
      '/mod link market:lab-publish-its-eval url:https://public.test/eval-report',
    ]);
    expect(out).toContain('⚠️ Only moderators can link a source to a market.');
    expect(out).toContain('⚠️ That link cannot be a source: intranet.test resolves to an internal address (private), and Crux only fetches links on the public internet.');
    expect(out).toContain('⚠️ That link cannot be a source: metadata.google.internal is a cloud metadata service.');
    expect(out).toMatch(/⚠️ That link cannot be a source: .+ is an internal address \(cloud metadata\)/);
    expect(out).toContain('🔗 Linked https://public.test/eval-report to lab-publish-its-eval as a Web page source');
    // Eve's attempt never reached DNS: only the moderator's two host names were looked up.
    expect(guard.asked).toEqual(['intranet.test', 'public.test']);
    expect(h.app.views.market('console', 'lab-publish-its-eval').links.map((link) => link.url)).toEqual(['https://public.test/eval-report']);
  });

  it('the poller checks again at fetch time: a name that now resolves inside, or a link stored before the check, is never fetched', async () => {
    server = await startServer({ '/admin/secrets': text('root password') });
    const dns: Record<string, string[]> = { 'rebind.test': [PUBLIC_V4] };
    const guard = guardWith(dns);
    const h = (harness = testApp({}, guard));
    await driveConsole(h, ['/as mod --moderator', `${OPEN} source:http://rebind.test/status`]);
    // Stored straight through the use case, as links were before this check existed (or from a claim pack).
    const moderator = { realm: 'console', actor: { userId: 'mod', isModerator: true }, now: T0 };
    expect(h.app.resolution.linkSource('lab-publish-its-eval', `${server.baseUrl}/admin/secrets`, moderator).ok).toBe(true);
    dns['rebind.test'] = ['10.0.0.7'];
    const fetched: string[] = [];

    const report = await pollSources(h.app, hooksFor(h.app, guard, fetched));

    expect(report).toMatchObject({ checked: 2, failed: 2 });
    expect(fetched).toEqual([]);
    expect(server.requests).toEqual([]);
    const errors = h.logs.filter((line) => line.includes('a linked source could not be checked'));
    expect(errors.join('\n')).toContain('Refused to fetch http://rebind.test/status: rebind.test resolves to an internal address (private)');
    expect(errors.join('\n')).toMatch(/Refused to fetch http:\/\/127\.0\.0\.1:\d+\/admin\/secrets: 127\.0\.0\.1 is an internal address \(loopback\)/);
  });
});
