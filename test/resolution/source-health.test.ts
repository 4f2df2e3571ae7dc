import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../bot/app.ts';
import { pollSources } from '../../bot/jobs.ts';
import type { Reply } from '../../bot/reply.ts';
import { DAY, T0 } from '../support/engine.ts';
import {
  manifoldBinaryMarket,
  METACULUS_GROUP_POST_ID,
  metaculusGroupPost,
  metaculusPost,
  POLYMARKET_EVENT_SLUG,
  polymarketEventMarket,
  polymarketEvents,
} from '../sources/fixtures.ts';
import { json } from '../sources/server.ts';
import { alice, type Harness, MANIFOLD_LINK, MANIFOLD_PATH, METACULUS_LINK, METACULUS_PATH, moderator, openLinked, start, stopHarness } from './harness.ts';

afterEach(stopHarness);

const HOUR = 60 * 60 * 1000;
const seconds = (at: number) => Math.floor(at / 1000);

async function sourcesField(h: Harness, marketId: string): Promise<string> {
  const shown = await h.run(moderator, 'show', { market: marketId });
  return shown.cards[0]?.fields?.find((field) => field.name === 'Sources')?.value ?? '';
}

function failureReports(h: Harness): string[] {
  return h.posted.flatMap(({ reply }) => (reply.content?.startsWith('🛰️') ? [reply.content] : []));
}

describe("a source's last check, in words", () => {
  it('shows ok, then failing since when and why; a day of failing is reported once, even across a restart', async () => {
    const h = await start();
    const marketId = await openLinked(h, [MANIFOLD_LINK]);
    expect(await sourcesField(h, marketId)).toBe(`<${MANIFOLD_LINK}> — not checked yet`);

    h.routes[MANIFOLD_PATH] = json(manifoldBinaryMarket());
    await pollSources(h.t.app, h.hooks);
    expect(await sourcesField(h, marketId)).toBe(`<${MANIFOLD_LINK}> — ✅ ok, checked <t:${seconds(T0)}:R>`);

    h.clock.now += HOUR;
    const failedAt = h.clock.now;
    h.routes[MANIFOLD_PATH] = json({ message: 'Service Unavailable' }, 503);
    expect(await pollSources(h.t.app, h.hooks)).toMatchObject({ checked: 1, failed: 1 });
    expect(await sourcesField(h, marketId)).toBe(`<${MANIFOLD_LINK}> — ⚠️ failing since <t:${seconds(failedAt)}:f> (HTTP 503)`);

    // Twelve hours on it still fails, now as not found: the spell keeps its start, the reason is the newest.
    h.clock.now = failedAt + 12 * HOUR;
    h.routes[MANIFOLD_PATH] = json({ message: 'not found' }, 404);
    await pollSources(h.t.app, h.hooks);
    expect(await sourcesField(h, marketId)).toContain(`failing since <t:${seconds(failedAt)}:f> (not found)`);
    expect(failureReports(h)).toEqual([]);

    h.clock.now = failedAt + DAY;
    expect(await pollSources(h.t.app, h.hooks)).toMatchObject({ checked: 1, failed: 1 });
    expect(failureReports(h)).toEqual([
      `🛰️ The Manifold source of \`${marketId}\` has been failing since <t:${seconds(failedAt)}:f>: not found.\n<${MANIFOLD_LINK}>\n` +
        'Crux keeps checking it, but proposes nothing from it while it fails; fix the link (or the token) or resolve by hand.',
    ]);

    // More failed checks, and a restart of the bot over the same database, tell nobody again.
    h.clock.now += 12 * HOUR;
    await pollSources(h.t.app, h.hooks);
    const restarted = createApp(h.t.app.config, h.t.db, () => undefined, h.t.app.linkGuard);
    h.clock.now += 12 * HOUR;
    expect(await pollSources(restarted, h.hooks)).toMatchObject({ checked: 1, failed: 1 });
    expect(failureReports(h)).toHaveLength(1);

    // It answers again: the spell is over, and a new one a day long is a new report.
    h.clock.now += 12 * HOUR;
    h.routes[MANIFOLD_PATH] = json(manifoldBinaryMarket());
    await pollSources(restarted, h.hooks);
    expect(await sourcesField(h, marketId)).toBe(`<${MANIFOLD_LINK}> — ✅ ok, checked <t:${seconds(h.clock.now)}:R>`);
    h.routes[MANIFOLD_PATH] = json({}, 500);
    for (const hours of [1, 12, 13]) {
      h.clock.now += hours * HOUR;
      await pollSources(restarted, h.hooks);
    }
    expect(failureReports(h)).toHaveLength(2);
    expect(failureReports(h)[1]).toContain(': HTTP 500.');
  });
});

describe('Metaculus without a token', () => {
  const WARNING = 'Crux cannot read Metaculus without a token (CRUX_METACULUS_TOKEN is not set), so it will not propose a resolution';

  it('warns when linking and in /market show, and shows the refusal in words once polled', async () => {
    const h = await start();
    const marketId = await openLinked(h, []);
    h.routes[METACULUS_PATH] = json({ detail: 'Authentication credentials were not provided.' }, 401);

    const linked = await h.run(moderator, 'link', { market: marketId, url: METACULUS_LINK });
    expect(linked.content).toContain(`🔗 Linked <${METACULUS_LINK}> to \`${marketId}\` as a Metaculus source.\n⚠️ ${WARNING}`);
    expect(linked.content).not.toContain('will check it and propose');
    expect(await sourcesField(h, marketId)).toContain(`not checked yet\n⚠️ ${WARNING}`);

    expect(await pollSources(h.t.app, h.hooks)).toMatchObject({ checked: 1, failed: 1, proposals: [] });
    expect(await sourcesField(h, marketId)).toContain(`⚠️ failing since <t:${seconds(T0)}:f> (Metaculus refused: token missing or invalid)`);
    expect(h.t.logs.join('\n')).toContain('Metaculus refused the request: token missing or invalid (HTTP 401)');
  });

  it('warns on /market open with a Metaculus source too', async () => {
    const h = await start();
    const opened = await h.run(moderator, 'open', { question: 'Will a lab pause?', criteria: 'As Metaculus resolves.', closes: '2027-06-30', source: METACULUS_LINK });
    expect(opened).toMatchObject({ ephemeral: false, content: `⚠️ ${WARNING} from this link. Resolve it by hand, or ask the operator to set the token.` });
  });

  it('says nothing of the kind when the token is set, and sends it', async () => {
    const h = await start({ CRUX_METACULUS_TOKEN: 'secret-token' });
    const marketId = await openLinked(h, []);
    h.routes[METACULUS_PATH] = json(metaculusPost());
    const linked = await h.run(moderator, 'link', { market: marketId, url: METACULUS_LINK });
    expect(linked.content).toContain('Crux will check it and propose a resolution when it resolves.');
    expect(await sourcesField(h, marketId)).not.toContain('⚠️');
    expect(h.server.requests.at(-1)?.headers['authorization']).toBe('Token secret-token');
  });
});

describe('links that need a choice', () => {
  const GROUP_LINK = `https://www.metaculus.com/questions/${METACULUS_GROUP_POST_ID}/which-lab-first/`;
  const GROUP_PATH = `/api/posts/${METACULUS_GROUP_POST_ID}/`;

  it('answers a Metaculus group link with its questions and the link of each; a sub-question link is linked and proposed on', async () => {
    const h = await start({ CRUX_METACULUS_TOKEN: 'secret-token' });
    const marketId = await openLinked(h, []);
    h.routes[GROUP_PATH] = json(metaculusGroupPost([{ label: 'Anthropic' }, { label: 'OpenAI' }]));

    const asked = await h.run(moderator, 'link', { market: marketId, url: GROUP_LINK });
    expect(asked).toMatchObject({ ephemeral: true });
    expect(asked.content).toBe(
      `That Metaculus link is a group of 2 questions; nothing was linked. Link the one the market is about:\n` +
        `• Anthropic: <${GROUP_LINK}?sub-question=31300>\n• OpenAI: <${GROUP_LINK}?sub-question=31301>`,
    );
    expect(h.t.app.views.market('console', marketId).links).toEqual([]);

    const linked = await h.run(moderator, 'link', { market: marketId, url: `${GROUP_LINK}?sub-question=31301` });
    expect(linked.content).toContain(`🔗 Linked <${GROUP_LINK}?sub-question=31301>`);
    h.routes[GROUP_PATH] = json(metaculusGroupPost([{ label: 'Anthropic' }, { label: 'OpenAI', status: 'resolved', resolution: 'no' }]));
    const { proposals } = await pollSources(h.t.app, h.hooks);
    expect(proposals).toMatchObject([{ marketId, verdict: 'outcome', outcome: 1 }]);
    expect(proposals[0]?.evidence).toContain('— OpenAI resolved "no".');
  });

  const EVENT_LINK = `https://polymarket.com/event/${POLYMARKET_EVENT_SLUG}`;
  const EVENT_PATH = `/events?slug=${POLYMARKET_EVENT_SLUG}`;

  it('asks which market of a Polymarket event with several, and links the one picked', async () => {
    const h = await start();
    const marketId = await openLinked(h, []);
    h.routes[EVENT_PATH] = json(polymarketEvents([polymarketEventMarket('Anthropic'), polymarketEventMarket('OpenAI')]));

    const asked = await h.run(moderator, 'link', { market: marketId, url: EVENT_LINK });
    expect(asked).toMatchObject({ ephemeral: true, content: expect.stringContaining('That Polymarket event has 2 markets') });
    expect(asked.content).toContain(`• OpenAI: <${EVENT_LINK}/${POLYMARKET_EVENT_SLUG}-openai>`);
    const [select] = asked.actions.flat();
    expect(select).toEqual({
      kind: 'select',
      id: `crux:polypick:${marketId}`,
      placeholder: 'Link which market?',
      options: [
        { label: 'Anthropic', value: `${POLYMARKET_EVENT_SLUG}-anthropic` },
        { label: 'OpenAI', value: `${POLYMARKET_EVENT_SLUG}-openai` },
      ],
    });
    expect(h.t.app.views.market('console', marketId).links).toEqual([]);

    const member = await h.select(alice, `crux:polypick:${marketId}`, [`${POLYMARKET_EVENT_SLUG}-openai`]);
    expect(member).toMatchObject({ ephemeral: true, content: expect.stringContaining('Only moderators') });
    const picked = await h.select(moderator, `crux:polypick:${marketId}`, [`${POLYMARKET_EVENT_SLUG}-openai`]);
    expect(picked).toMatchObject({ ephemeral: false, content: expect.stringContaining('as a Polymarket source') });

    h.routes[`/markets/slug/${POLYMARKET_EVENT_SLUG}-openai`] = json(polymarketEventMarket('OpenAI', { closed: true, umaResolutionStatus: 'settled', outcomePrices: '["1", "0"]' }));
    expect((await pollSources(h.t.app, h.hooks)).proposals).toMatchObject([{ marketId, verdict: 'outcome', outcome: 0 }]);
  });

  it('links an event whose markets are named as the outcomes as one source, each market an outcome', async () => {
    const h = await start();
    const opened = await h.run(moderator, 'open', {
      question: 'Which lab claims AGI first?',
      criteria: 'As Polymarket resolves.',
      closes: '2027-06-30',
      outcomes: 'OpenAI, Anthropic',
    });
    const marketId = opened.postsMarket ?? '';
    h.routes[EVENT_PATH] = json(
      polymarketEvents([
        polymarketEventMarket('Anthropic', { outcomePrices: '["0.3", "0.7"]' }),
        polymarketEventMarket('OpenAI', { outcomePrices: '["0.7", "0.3"]' }),
      ]),
    );

    const linked: Reply = await h.run(moderator, 'link', { market: marketId, url: EVENT_LINK });
    expect(linked).toMatchObject({ ephemeral: false, content: expect.stringContaining(`🔗 Linked <${EVENT_LINK}>`) });
    expect(await pollSources(h.t.app, h.hooks)).toMatchObject({ checked: 1, failed: 0, proposals: [] });
    expect(h.t.app.resolution.outsideOdds(marketId).latest).toEqual([{ kind: 'polymarket', at: T0, probabilities: [0.7, 0.3] }]);

    h.clock.now += DAY;
    h.routes[EVENT_PATH] = json(
      polymarketEvents([
        polymarketEventMarket('Anthropic', { closed: true, umaResolutionStatus: 'resolved', outcomePrices: '["1", "0"]' }),
        polymarketEventMarket('OpenAI', { closed: true, umaResolutionStatus: 'settled', outcomePrices: '["0", "1"]' }),
      ]),
    );
    expect((await pollSources(h.t.app, h.hooks)).proposals).toMatchObject([{ marketId, verdict: 'outcome', outcome: 1 }]);
  });
});
