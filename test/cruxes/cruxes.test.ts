import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { crux } from '../../bot/commands/crux/index.ts';
import { outcomeColour } from '../../bot/render/chart-theme.ts';
import type { Invocation } from '../../bot/reply.ts';
import { cruxStrength } from '../../markets/cruxes/strength.ts';
import { currentPrices } from '../../markets/market.ts';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context } from '../../markets/service.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DAY, failure, ok, T0 } from '../support/engine.ts';

let harness: TestApp | undefined;
afterEach(() => {
  harness?.db.close();
  harness = undefined;
});

const moderator: Context = { realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now: T0 };
const as = (userId: string): Context => ({ realm: 'console', actor: { userId, displayName: userId, isModerator: false }, now: T0 });
const place = { guildId: null, channelId: null };

function setUp(): TestApp {
  const t = (harness = testApp());
  for (const [id, question, outcomes] of [
    ['power', 'Do RL agents acquire resources instrumentally?', ['Yes', 'No']],
    ['rome', 'Is ROME replicated by a second team?', ['Yes', 'No']],
    ['lab', 'Which lab replicates first?', ['A', 'B', 'C']],
  ] as const) {
    ok(t.app.service.openMarket({ id, question, criteria: 'x', outcomes: [...outcomes], closesAt: T0 + 30 * DAY }, moderator));
  }
  return t;
}

function invocation(subcommand: string, options: Invocation['options']): Invocation {
  return { command: 'crux', subcommand, options, actor: moderator.actor, realm: 'console', guildId: null, channelId: null, requestId: `r-${subcommand}`, now: T0 };
}

describe('crux strength', () => {
  it('is the expected absolute move of the claim, weighted by the condition', () => {
    expect(cruxStrength(0.5, [{ conditionPrice: 0.6, claimPrice: 0.8 }, { conditionPrice: 0.4, claimPrice: 0.2 }])).toBeCloseTo(0.3, 12);
    expect(cruxStrength(0.4, [{ conditionPrice: 0.9, claimPrice: 0.4 }, { conditionPrice: 0.1, claimPrice: 0.4 }])).toBe(0);
    expect(cruxStrength(0.5, [{ conditionPrice: 0.25, claimPrice: 1 }, { conditionPrice: 0.75, claimPrice: 0.5 }])).toBeCloseTo(0.125, 12);
  });
});

describe('cruxes', () => {
  it('opens the claim under each outcome of the condition, titled plainly, at the claim\'s price, with strength zero', () => {
    const t = setUp();
    ok(t.app.service.buy({ marketId: 'power', outcome: 'Yes', amount: creditsToMillis(20) }, as('ann')));
    const opened = ok(t.app.cruxes.openCrux('power', 'rome', place, moderator));
    expect(opened.branches.map((b) => b.conditional.question)).toEqual([
      'If Is ROME replicated by a second team: Do RL agents acquire resources instrumentally?',
      'If not Is ROME replicated by a second team: Do RL agents acquire resources instrumentally?',
    ]);
    const claimPrice = currentPrices(t.app.views.market('console', 'power').market)[0] ?? 0;
    for (const branch of opened.branches) expect(branch.claimPrice).toBeCloseTo(claimPrice, 9);
    expect(opened.strength).toBeCloseTo(0, 9);
    const threeWay = ok(t.app.cruxes.openCrux('power', 'lab', place, moderator));
    expect(threeWay.branches.map((b) => b.conditional.question.split(':')[0])).toEqual([
      'If Which lab replicates first is A',
      'If Which lab replicates first is B',
      'If Which lab replicates first is C',
    ]);
  });

  it('opens a crux whose combined question is over the limit, cut whole: no half emoji, within the limit once normalised', () => {
    const t = setUp();
    // 287 characters, the longest a claim may nearly have; the premise takes the combined question past 300.
    ok(t.app.service.openMarket({ id: 'long', question: `Will claim hold ${'c'.repeat(270)}?`, criteria: '😀'.repeat(995), closesAt: T0 + 30 * DAY }, moderator));
    const opened = ok(t.app.cruxes.openCrux('long', 'rome', place, moderator));
    for (const { conditional } of opened.branches) {
      expect(conditional.question.length).toBeLessThanOrEqual(300);
      expect(conditional.question.endsWith('...')).toBe(true);
      expect(conditional.criteria.length).toBeLessThanOrEqual(2000);
      expect(conditional.criteria).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });

  it('refuses a claim as its own condition, a second crux on the same pair, and a claim of more than two outcomes', () => {
    const t = setUp();
    expect(failure(t.app.cruxes.openCrux('power', 'power', place, moderator)).message).toMatch(/own condition/);
    ok(t.app.cruxes.openCrux('power', 'rome', place, moderator));
    expect(failure(t.app.cruxes.openCrux('power', 'rome', place, moderator)).code).toBe('market_exists');
    expect(failure(t.app.cruxes.openCrux('lab', 'rome', place, moderator)).message).toMatch(/two outcomes/);
  });

  it('measures strength from the markets\' prices and ranks the server\'s cruxes by it', () => {
    const t = setUp();
    const strong = ok(t.app.cruxes.openCrux('power', 'rome', place, moderator));
    const weak = ok(t.app.cruxes.openCrux('rome', 'power', place, moderator));
    const [ifYes, ifNo] = strong.branches.map((b) => b.conditional.slug);
    ok(t.app.service.buy({ marketId: ifYes ?? '', outcome: 'Yes', amount: creditsToMillis(60) }, as('ann')));
    ok(t.app.service.buy({ marketId: ifNo ?? '', outcome: 'No', amount: creditsToMillis(60) }, as('ben')));
    ok(t.app.service.buy({ marketId: weak.branches[0]?.conditional.slug ?? '', outcome: 'Yes', amount: creditsToMillis(5) }, as('cal')));
    const [shown] = t.app.cruxes.claimCruxes('console', 'power').cruxes;
    const price = (slug: string) => currentPrices(t.app.views.market('console', slug).market);
    const expected = cruxStrength(price('power')[0] ?? 0, [
      { conditionPrice: price('rome')[0] ?? 0, claimPrice: price(ifYes ?? '')[0] ?? 0 },
      { conditionPrice: price('rome')[1] ?? 0, claimPrice: price(ifNo ?? '')[0] ?? 0 },
    ]);
    expect(shown?.strength).toBeCloseTo(expected, 12);
    expect(expected).toBeGreaterThan(0.1);
    expect(t.app.cruxes.ranked('console').map((c) => `${c.claim.slug}|${c.condition.slug}`)).toEqual(['power|rome', 'rome|power']);
    // A condition that settles leaves the ranking: learning it is no longer ahead.
    ok(t.app.service.resolveMarket('rome', 'Yes', 'seen', moderator));
    expect(t.app.cruxes.ranked('console').map((c) => `${c.claim.slug}|${c.condition.slug}`)).toEqual(['rome|power']);
  });

  it('/crux show answers with the strengths and a PNG graph of the claim, its condition and an arrow per outcome', async () => {
    const t = setUp();
    ok(t.app.cruxes.openCrux('power', 'rome', place, moderator));
    const reply = await crux.execute(invocation('show', { market: 'power' }), t.app);
    const card = reply.cards[0];
    expect(card?.fields?.[0]?.name).toMatch(/^If rome — strength \d+\.\d pts$/);
    expect(card?.fields?.[0]?.value).toMatch(/Yes \(50%\) → \*\*50%\*\* · No \(50%\) → \*\*50%\*\*/);
    const file = reply.files[0];
    expect(card?.image).toBe(file?.name);
    const png = PNG.sync.read(file?.data ?? Buffer.alloc(0));
    expect(png.width).toBe(900);
    const count = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
      return n;
    };
    // Both branches' arrows are drawn, each in its outcome's colour.
    expect(count(outcomeColour(0))).toBeGreaterThan(200);
    expect(count(outcomeColour(1))).toBeGreaterThan(200);
    const list = await crux.execute(invocation('list', {}), t.app);
    expect(list.cards[0]?.description).toMatch(/^1\. `power` \(50%\) if `rome` — strength 0\.0 pts/);
  });
});
