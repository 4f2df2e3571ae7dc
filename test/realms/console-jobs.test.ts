import { afterEach, describe, expect, it } from 'vitest';
import { closeDueMarkets, pollSources } from '../../bot/jobs.ts';
import { MANIFOLD_LINK, MANIFOLD_PATH, moderator, start, stopHarness } from '../resolution/harness.ts';
import { manifoldResolvedBinary } from '../sources/fixtures.ts';
import { json } from '../sources/server.ts';
import { driveConsole } from '../support/app.ts';
import { DAY, T0 } from '../support/engine.ts';

const GUILD = '111111111111111111';

afterEach(stopHarness);

/**
 * The console is a realm of its own, opened on the bot's database by an operator: what it does by itself before and
 * between commands (closing, polling, applying) stays in its realm, so a server's markets are left to the bot's jobs,
 * which tell the server.
 */
describe("the console's own jobs", () => {
  it("close only the console's markets past their close time; a server's is left to the close job, which announces it", async () => {
    const h = await start();
    const open = (realm: string, question: string) =>
      h.t.app.service.openMarket({ question, criteria: 'If so.', closesAt: T0 + DAY, guildId: realm === 'console' ? null : realm }, { realm, actor: moderator, now: T0 });
    const inGuild = open(GUILD, 'Will the server market close?');
    const inConsole = open('console', 'Will the console market close?');
    if (!inGuild.ok || !inConsole.ok) throw new Error('the markets did not open');

    await driveConsole(h.t, ['/portfolio'], T0 + 2 * DAY);
    expect(h.t.app.views.marketByKey(inConsole.value.id)?.market.status).toBe('closed');
    expect(h.t.app.views.marketByKey(inGuild.value.id)?.market.status).toBe('open');

    h.clock.now = T0 + 2 * DAY;
    expect((await closeDueMarkets(h.t.app, h.hooks)).map((market) => market.id)).toEqual([inGuild.value.id]);
  });

  it("poll only the console's linked sources; a server's proposal is the poll job's to post to its moderators", async () => {
    const h = await start();
    const opened = h.t.app.resolution.openMarket(
      { question: 'Will debate beat RLHF?', criteria: 'As Manifold resolves.', closesAt: T0 + 100 * DAY, guildId: GUILD, channelId: '222222222222222222' },
      MANIFOLD_LINK,
      { realm: GUILD, actor: moderator, now: T0 },
    );
    expect(opened.ok).toBe(true);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));

    const console = await driveConsole(h.t, ['/as mod --moderator', '/poll'], T0 + 1_000);
    expect(console).toContain('🛰️ Checked 0 sources (0 failed); no new proposals.');

    h.clock.now = T0 + 2_000;
    const report = await pollSources(h.t.app, h.hooks);
    expect(report.proposals).toHaveLength(1);
    expect(h.posted.map(({ market }) => market.realm)).toEqual([GUILD]);
  });
});
