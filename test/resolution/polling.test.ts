import { afterEach, describe, expect, it } from 'vitest';
import { applyDueProposals, nudgeModerators, pollSources } from '../../bot/jobs.ts';
import type { Reply } from '../../bot/reply.ts';
import { AUTO_RESOLVER } from '../../markets/resolution/service.ts';
import type { Actor } from '../../markets/service.ts';
import { DAY, T0 } from '../support/engine.ts';
import { MANIFOLD_SLUG, manifoldBinaryMarket, manifoldResolvedBinary, METACULUS_POST_ID, metaculusPost, metaculusResolvedPost } from '../sources/fixtures.ts';
import { json, stall } from '../sources/server.ts';
import { alice, buttonsOf, MANIFOLD_LINK, MANIFOLD_PATH, METACULUS_LINK, METACULUS_PATH, MINUTE, moderator, openLinked, start, stopHarness } from './harness.ts';

afterEach(stopHarness);

describe('polling linked sources', () => {
  it('turns a Manifold market resolved YES into one proposal, posted once with Accept and Reject', async () => {
    const h = await start();
    const marketId = await openLinked(h, [MANIFOLD_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));

    const first = await pollSources(h.t.app, h.hooks);

    expect(first).toMatchObject({ checked: 1, failed: 0 });
    expect(first.proposals).toMatchObject([{ marketId, verdict: 'outcome', outcome: 0, status: 'pending', autoApplyAt: null }]);
    const [proposal] = first.proposals;
    expect(proposal?.evidence).toBe(
      `Manifold <${MANIFOLD_LINK}>: Manifold "Will debate-based scalable oversight beat the RLHF baseline by 2026?" resolved YES.`,
    );
    expect(h.posted).toHaveLength(1);
    expect(buttonsOf(h.posted[0]?.reply ?? { actions: [] } as unknown as Reply)).toEqual([
      `crux:proposal:accept:${proposal?.id}`,
      `crux:proposal:reject:${proposal?.id}`,
    ]);
    expect(h.t.app.resolution.proposal(proposal?.id ?? 0, 'console')).toMatchObject({ ok: true, value: { messageChannelId: 'mods', messageId: 'message-1' } });
    expect(h.server.requests.map((r) => r.path)).toEqual([MANIFOLD_PATH]);

    // Terminal answers are re-read only at the slowest rate, and the same verdict is never proposed twice.
    h.clock.now += 30 * MINUTE;
    expect((await pollSources(h.t.app, h.hooks)).checked).toBe(0);
    h.clock.now += 720 * MINUTE;
    expect(await pollSources(h.t.app, h.hooks)).toMatchObject({ checked: 1, proposals: [] });
    expect(h.posted).toHaveLength(1);
  });

  it('proposes nothing while the source is unresolved, and checks it again after the poll interval', async () => {
    const h = await start();
    await openLinked(h, [MANIFOLD_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldBinaryMarket());

    expect(await pollSources(h.t.app, h.hooks)).toEqual({ checked: 1, failed: 0, proposals: [] });
    h.clock.now += 29 * MINUTE;
    expect((await pollSources(h.t.app, h.hooks)).checked).toBe(0);
    h.clock.now += MINUTE;
    expect(await pollSources(h.t.app, h.hooks)).toEqual({ checked: 1, failed: 0, proposals: [] });
    expect(h.posted).toEqual([]);
  });

  it('proposes cancelling when Manifold says CANCEL or Metaculus annulled the question', async () => {
    const h = await start();
    const onManifold = await openLinked(h, [MANIFOLD_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('CANCEL'));
    const manifold = await pollSources(h.t.app, h.hooks);
    expect(manifold.proposals).toMatchObject([{ marketId: onManifold, verdict: 'cancel', outcome: null }]);

    const onMetaculus = await openLinked(h, [METACULUS_LINK]);
    h.routes[METACULUS_PATH] = json(metaculusResolvedPost('annulled'));
    const metaculus = await pollSources(h.t.app, h.hooks);
    expect(metaculus.proposals).toMatchObject([{ marketId: onMetaculus, verdict: 'cancel' }]);
  });

  it('turns a Manifold MKT resolution into a proposal to that probability; accepting resolves to it and pays each share its percent', async () => {
    const h = await start();
    const marketId = await openLinked(h, [MANIFOLD_LINK]);
    const bob: Actor = { userId: 'bob', displayName: 'bob', isModerator: false };
    const yes = h.t.app.service.buy({ marketId, outcome: 'Yes', amount: 100_000 }, { realm: 'console', actor: alice, now: h.clock.now });
    const no = h.t.app.service.buy({ marketId, outcome: 'No', amount: 50_000 }, { realm: 'console', actor: bob, now: h.clock.now });
    if (!yes.ok || !no.ok) throw new Error('the bets were refused');
    // Manifold's documented shape of a binary market resolved to a probability: resolution "MKT", resolutionProbability.
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES', { resolution: 'MKT', resolutionProbability: 0.62, probability: 0.62 }));

    const { proposals } = await pollSources(h.t.app, h.hooks);

    expect(proposals).toMatchObject([{ verdict: 'outcome', outcome: 0, probabilities: [62, 38], status: 'pending' }]);
    expect(proposals[0]?.evidence).toContain('resolved MKT at 62%');
    const id = proposals[0]?.id ?? 0;
    expect((h.posted[0]?.reply as Reply).cards[0]?.title).toBe(`🔔 Sources say ${marketId} resolved to Yes 62% · No 38%`);
    expect(buttonsOf(h.posted[0]?.reply as Reply)).toEqual([`crux:proposal:accept:${id}`, `crux:proposal:reject:${id}`]);
    const before = { alice: h.t.app.views.portfolio('console', 'alice').balance, bob: h.t.app.views.portfolio('console', 'bob').balance };

    const accepted = await h.press(moderator, `crux:proposal:accept:${id}`);

    expect(accepted.cards[0]?.title).toBe(`✅ ${marketId} resolved to Yes 62% · No 38% on the sources' word`);
    expect(h.t.app.views.market('console', marketId).market.resolution).toMatchObject({ outcome: 0, probabilities: [62, 38], decidedBy: 'mod' });
    expect(h.t.app.views.portfolio('console', 'alice').balance).toBe(before.alice + Math.floor((yes.value.position * 62) / 100));
    expect(h.t.app.views.portfolio('console', 'bob').balance).toBe(before.bob + Math.floor((no.value.position * 38) / 100));
    h.t.assertVerified();
  });

  it('only reports a Manifold MKT resolution on a market whose outcomes are not Yes and No: no Accept button', async () => {
    const h = await start();
    const opened = await h.run(alice, 'open', {
      question: 'Which oversight method wins?',
      criteria: 'As the linked source resolves.',
      closes: '2027-06-30',
      outcomes: 'Debate, RLHF',
      source: MANIFOLD_LINK,
    });
    expect(opened.ephemeral).toBe(false);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES', { resolution: 'MKT', resolutionProbability: 0.62 }));

    const { proposals } = await pollSources(h.t.app, h.hooks);

    expect(proposals).toMatchObject([{ verdict: 'report', status: 'pending', autoApplyAt: null, probabilities: null }]);
    const id = proposals[0]?.id ?? 0;
    expect(buttonsOf(h.posted[0]?.reply as Reply)).toEqual([`crux:proposal:reject:${id}`]);
    const refused = await h.press(moderator, `crux:proposal:accept:${id}`);
    expect(refused).toMatchObject({ ephemeral: true, content: expect.stringContaining('not a verdict') });
  });

  it('backs off on 500s and stalled replies, doubling the wait, and never resolves anything from them', async () => {
    const h = await start();
    const marketId = await openLinked(h, [MANIFOLD_LINK]);
    h.routes[MANIFOLD_PATH] = json({ message: 'Internal server error' }, 500);

    expect(await pollSources(h.t.app, h.hooks)).toEqual({ checked: 1, failed: 1, proposals: [] });
    h.clock.now += 59 * MINUTE;
    expect((await pollSources(h.t.app, h.hooks)).checked).toBe(0);
    h.clock.now += MINUTE;
    h.routes[MANIFOLD_PATH] = stall();
    expect(await pollSources(h.t.app, h.hooks)).toEqual({ checked: 1, failed: 1, proposals: [] });
    h.clock.now += 119 * MINUTE;
    expect((await pollSources(h.t.app, h.hooks)).checked).toBe(0);

    const state = h.t.db.prepare('SELECT consecutive_errors, next_poll_at, last_check FROM source_polls').get();
    expect(state).toEqual({ consecutive_errors: 2, next_poll_at: h.clock.now + MINUTE, last_check: null });
    expect(h.t.logs.filter((line) => line.includes('could not be checked'))).toHaveLength(2);
    expect(h.t.logs.join('\n')).toContain('did not answer within 200 ms');
    expect(h.t.app.views.market('console', marketId).market.status).toBe('open');
    expect(h.posted).toEqual([]);

    // Once the platform answers again, the errors are forgotten.
    h.clock.now += MINUTE;
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('NO'));
    expect((await pollSources(h.t.app, h.hooks)).proposals).toMatchObject([{ verdict: 'outcome', outcome: 1 }]);
    expect(h.t.db.prepare('SELECT consecutive_errors FROM source_polls').get()).toEqual({ consecutive_errors: 0 });
  });

  it('raises a conflict when two sources disagree, and never applies it, even with auto-resolve on', async () => {
    const h = await start();
    expect((await h.run(moderator, 'autoresolve', { enabled: true, grace_hours: 0 })).ephemeral).toBe(false);
    const marketId = await openLinked(h, [MANIFOLD_LINK, METACULUS_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
    h.routes[METACULUS_PATH] = json(metaculusResolvedPost('no'));

    const { proposals } = await pollSources(h.t.app, h.hooks);

    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ marketId, verdict: 'conflict', status: 'conflict', autoApplyAt: null });
    expect(proposals[0]?.basis.map((reading) => reading.kind)).toEqual(['manifold', 'metaculus']);
    expect(h.posted[0]?.reply.cards[0]?.title).toBe(`⚠️ Sources disagree on ${marketId}`);
    h.clock.now += DAY;
    expect(await applyDueProposals(h.t.app, h.hooks)).toEqual([]);
    expect(h.t.app.views.market('console', marketId).market.status).toBe('open');
  });
});

describe('deciding proposals', () => {
  it("refuses a member's Accept; a moderator's Accept resolves with the sources' evidence and pays out", async () => {
    const h = await start();
    const marketId = await openLinked(h, [MANIFOLD_LINK]);
    const bought = h.t.app.service.buy({ marketId, outcome: 'Yes', amount: 100_000 }, { realm: 'console', actor: alice, now: h.clock.now });
    expect(bought.ok).toBe(true);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
    const [proposal] = (await pollSources(h.t.app, h.hooks)).proposals;
    const accept = `crux:proposal:accept:${proposal?.id}`;

    const refused = await h.press(alice, accept);
    expect(refused).toMatchObject({ ephemeral: true, content: '⚠️ Only moderators can decide resolution proposals.' });
    expect(h.t.app.views.market('console', marketId).market.status).toBe('open');

    const balanceBefore = h.t.app.views.portfolio('console', 'alice').balance;
    const accepted = await h.press(moderator, accept);

    expect(accepted.ephemeral).toBe(false);
    expect(accepted.content).toBe(`Proposal #${proposal?.id} accepted by <@mod>.`);
    expect(accepted.cards[0]?.title).toBe(`✅ ${marketId} resolved Yes on the sources' word`);
    const { market } = h.t.app.views.market('console', marketId);
    expect(market.resolution).toMatchObject({ outcome: 0, decidedBy: 'mod', evidence: proposal?.evidence });
    const shares = bought.ok ? bought.value.position : 0;
    expect(h.t.app.views.portfolio('console', 'alice').balance).toBe(balanceBefore + shares);
    expect(h.t.app.resolution.proposal(proposal?.id ?? 0, 'console')).toMatchObject({ ok: true, value: { status: 'accepted', decidedBy: 'mod' } });
    expect((await h.press(moderator, accept)).content).toContain('already accepted by <@mod>');
    h.t.assertVerified();
  });

  it('applies a trusted proposal by itself once the grace period passes, unless a moderator vetoes it first', async () => {
    const h = await start();
    await h.run(moderator, 'autoresolve', { enabled: 'on', sources: 'manifold', grace_hours: 1 });
    const applied = await openLinked(h, [MANIFOLD_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
    const [proposal] = (await pollSources(h.t.app, h.hooks)).proposals;
    expect(proposal?.autoApplyAt).toBe(h.clock.now + 60 * MINUTE);
    expect(h.posted[0]?.reply.cards[0]?.fields?.[1]?.value).toContain('Applies itself');

    h.clock.now += 59 * MINUTE;
    expect(await applyDueProposals(h.t.app, h.hooks)).toEqual([]);
    h.clock.now += MINUTE;
    expect(await applyDueProposals(h.t.app, h.hooks)).toMatchObject([{ id: proposal?.id, status: 'applied', decidedBy: AUTO_RESOLVER }]);
    expect(h.t.app.views.market('console', applied).market).toMatchObject({ status: 'resolved', resolution: { outcome: 0, decidedBy: AUTO_RESOLVER } });
    expect(h.posted.at(-1)?.reply.cards[0]?.title).toBe(`🤖 ${applied} settled automatically from proposal #${proposal?.id}`);

    // A second market on the same source: a moderator rejects during the grace period, and nothing applies.
    const vetoed = await openLinked(h, [MANIFOLD_LINK], 'debate-beats-rlhf-2');
    const [second] = (await pollSources(h.t.app, h.hooks)).proposals;
    expect((await h.press(moderator, `crux:proposal:reject:${second?.id}`)).content).toContain('rejected by <@mod>');
    h.clock.now += DAY;
    expect(await applyDueProposals(h.t.app, h.hooks)).toEqual([]);
    expect(h.t.app.views.market('console', vetoed).market.status).toBe('open');
    h.t.assertVerified();
  });
});

describe('a resolution on the sources\' word cites the evidence that links them', () => {
  it('names, on the accepted and the auto-applied resolution, the evidence items linking its sources, and no other', async () => {
    const h = await start();
    await h.run(moderator, 'autoresolve', { enabled: 'on', sources: 'manifold', grace_hours: 1 });
    const accepted = await openLinked(h, [MANIFOLD_LINK]);
    const auto = await openLinked(h, [MANIFOLD_LINK], 'debate-beats-rlhf-2');
    const cite = (slug: string, url: string) =>
      expect(h.t.app.evidence.add({ marketId: slug, url, stance: 'for' }, { realm: 'console', actor: alice, now: h.clock.now }).ok).toBe(true);
    for (const slug of [accepted, auto]) {
      cite(slug, 'https://example.org/unrelated-report');
      cite(slug, MANIFOLD_LINK);
    }
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
    const proposals = (await pollSources(h.t.app, h.hooks)).proposals;
    const first = proposals.find((proposal) => h.t.app.views.marketByKey(proposal.marketId)?.market.slug === accepted);

    const reply = await h.press(moderator, `crux:proposal:accept:${first?.id}`);
    const citedOn = (card: Reply['cards'][number] | undefined) => card?.fields?.find((field) => field.name === 'Cited evidence')?.value ?? '';
    expect(citedOn(reply.cards[0])).toMatch(/^#2 for · <@alice> · <https:\/\/manifold\.markets\/[^>]+>$/);

    h.clock.now += 60 * MINUTE;
    expect(await applyDueProposals(h.t.app, h.hooks)).toHaveLength(1);
    const posted = h.posted.at(-1)?.reply.cards[0];
    expect(posted?.title).toContain(`${auto} settled automatically`);
    expect(citedOn(posted)).toMatch(/^#2 for · <@alice> · <https:\/\/manifold\.markets\/[^>]+>$/);
    h.t.assertVerified();
  });
});

describe('proposals the sources stop backing', () => {
  it('sets aside a pending verdict when a second source contradicts it, so it can be neither accepted nor auto-applied', async () => {
    const h = await start();
    await h.run(moderator, 'autoresolve', { enabled: true, sources: 'manifold,metaculus', grace_hours: 1 });
    const contradicted = await openLinked(h, [MANIFOLD_LINK, METACULUS_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
    h.routes[METACULUS_PATH] = json(metaculusPost());
    const [early] = (await pollSources(h.t.app, h.hooks)).proposals;
    expect(early).toMatchObject({ verdict: 'outcome', outcome: 0, autoApplyAt: h.clock.now + 60 * MINUTE });

    h.clock.now += 30 * MINUTE;
    h.routes[METACULUS_PATH] = json(metaculusResolvedPost('no'));
    const { proposals } = await pollSources(h.t.app, h.hooks);
    expect(proposals).toMatchObject([{ verdict: 'conflict' }]);
    expect(h.t.app.resolution.proposal(early?.id ?? 0, 'console')).toMatchObject({ ok: true, value: { status: 'conflict' } });
    expect((await h.press(moderator, `crux:proposal:accept:${early?.id}`)).content).toContain('was set aside');

    h.clock.now += DAY;
    expect(await applyDueProposals(h.t.app, h.hooks)).toEqual([]);
    expect(h.t.app.views.market('console', contradicted).market.status).toBe('open');
  });

  it('does not auto-apply a proposal whose source un-resolved during the grace period', async () => {
    const h = await start();
    await h.run(moderator, 'autoresolve', { enabled: true, sources: 'manifold', grace_hours: 1 });
    const marketId = await openLinked(h, [MANIFOLD_LINK]);
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('YES'));
    const [proposal] = (await pollSources(h.t.app, h.hooks)).proposals;
    // The operator has the poller re-read sooner than the terminal back-off would: Manifold has un-resolved.
    h.t.db.prepare('UPDATE source_polls SET next_poll_at = ?').run(h.clock.now);
    h.routes[MANIFOLD_PATH] = json(manifoldBinaryMarket());
    expect((await pollSources(h.t.app, h.hooks)).checked).toBe(1);

    h.clock.now += 60 * MINUTE;
    expect(await applyDueProposals(h.t.app, h.hooks)).toEqual([]);
    expect(h.t.app.resolution.proposal(proposal?.id ?? 0, 'console')).toMatchObject({ ok: true, value: { status: 'conflict', decidedBy: AUTO_RESOLVER } });
    expect(h.t.app.views.market('console', marketId).market.status).toBe('open');
  });
});

describe('linking sources', () => {
  it('stores the parsed source reference and its kind, and refuses a link no adapter accepts with an ephemeral error', async () => {
    const h = await start();
    const marketId = await openLinked(h, [MANIFOLD_LINK, METACULUS_LINK]);
    const rows = h.t.db.prepare('SELECT kind, ref FROM market_links WHERE market_id = ? ORDER BY id').all(marketId) as { kind: string; ref: string }[];
    expect(rows.map((row) => ({ kind: row.kind, ref: JSON.parse(row.ref) as unknown }))).toEqual([
      { kind: 'manifold', ref: { kind: 'manifold', slug: MANIFOLD_SLUG, url: MANIFOLD_LINK } },
      { kind: 'metaculus', ref: { kind: 'metaculus', postId: METACULUS_POST_ID, url: METACULUS_LINK } },
    ]);

    const bad = await h.run(moderator, 'link', { market: marketId, url: 'https://manifold.markets/Austin' });
    expect(bad).toMatchObject({ ephemeral: true, content: expect.stringContaining('That Manifold link is not a market') });
    const notALink = await h.run(alice, 'open', { question: 'Q?', criteria: 'C', closes: '2027-06-30', source: 'ftp://example.org/x' });
    expect(notALink).toMatchObject({ ephemeral: true, content: expect.stringContaining('Only http(s) links') });
    expect(h.t.app.views.list({ realm: 'console',}).map((view) => view.market.id)).toEqual([marketId]);
  });
});

describe('links stored without a source reference', () => {
  it('parses a claim-pack or pre-migration link the first time it is polled, and polls it as its platform', async () => {
    const h = await start();
    const opened = h.t.app.service.openMarket(
      { question: 'Q from a claim pack?', criteria: 'C', closesAt: T0 + DAY, channelId: 'markets', links: [MANIFOLD_LINK] },
      { realm: 'console', actor: moderator, now: h.clock.now },
    );
    const marketId = opened.ok ? opened.value.id : '';
    expect(h.t.db.prepare('SELECT kind, ref FROM market_links').get()).toEqual({ kind: 'url', ref: null });
    h.routes[MANIFOLD_PATH] = json(manifoldResolvedBinary('NO'));

    expect((await pollSources(h.t.app, h.hooks)).proposals).toMatchObject([{ marketId, verdict: 'outcome', outcome: 1 }]);
    expect(h.t.db.prepare('SELECT kind FROM market_links').get()).toEqual({ kind: 'manifold' });
  });
});

describe('nudging moderators', () => {
  it('reminds them of a market closed and unresolved for more than CRUX_NUDGE_DAYS, once per that many days', async () => {
    const h = await start({ CRUX_NUDGE_DAYS: '7' });
    const marketId = await openLinked(h, []);
    expect(h.t.app.service.closeMarket(marketId, { realm: 'console', actor: moderator, now: h.clock.now }).ok).toBe(true);

    h.clock.now += 6 * DAY;
    expect(await nudgeModerators(h.t.app, h.hooks)).toEqual([]);
    h.clock.now += DAY;
    expect((await nudgeModerators(h.t.app, h.hooks)).map((m) => m.id)).toEqual([marketId]);
    expect(h.posted[0]?.reply.content).toContain(`\`${marketId}\` closed`);
    h.clock.now += DAY;
    expect(await nudgeModerators(h.t.app, h.hooks)).toEqual([]);
    h.clock.now += 6 * DAY;
    expect((await nudgeModerators(h.t.app, h.hooks)).map((m) => m.id)).toEqual([marketId]);
  });
});
