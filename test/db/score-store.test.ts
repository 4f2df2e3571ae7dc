import { realmOfGuild } from '../../markets/realms/realm.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScoreStore } from '../../db/score-store.ts';
import { ScoringStore } from '../../db/scoring-store.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { toScoredMarket } from '../../markets/forecasts.ts';
import { summariseUsers } from '../../markets/scoring/index.ts';
import type { Context } from '../../markets/service.ts';
import { testApp } from '../support/app.ts';
import { T0 } from '../support/engine.ts';

const USERS = ['ann', 'ben', 'cal', 'dee', 'eve'];
const GUILDS = ['g-1', 'g-2', null] as const;
const TAGS = ['ai', 'bio'];

type Step =
  | { kind: 'open'; outcomes: number; guild: number; tag: number; closesIn: number }
  | { kind: 'buy'; market: number; user: number; outcome: number; amount: number }
  | { kind: 'sell'; market: number; user: number }
  | { kind: 'forecast'; market: number; user: number; outcome: number; probability: number }
  | { kind: 'close'; market: number }
  | { kind: 'cancel'; market: number }
  | { kind: 'resolve'; market: number; outcome: number; percent: number | null }
  | { kind: 'correct'; market: number; outcome: number; percent: number | null };

const index = fc.nat({ max: 9 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('open' as const), outcomes: fc.integer({ min: 2, max: 4 }), guild: fc.nat({ max: 2 }), tag: fc.nat({ max: 1 }), closesIn: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('buy' as const), market: index, user: index, outcome: index, amount: fc.integer({ min: 1_000, max: 60_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sell' as const), market: index, user: index }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('forecast' as const), market: index, user: index, outcome: index, probability: fc.integer({ min: 1, max: 99 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), market: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), market: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resolve' as const), market: index, outcome: index, percent: fc.option(fc.integer({ min: 0, max: 100 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('correct' as const), market: index, outcome: index, percent: fc.option(fc.integer({ min: 0, max: 100 })) }) },
);

/** A resolution to a probability: `percent` on the outcome, the rest on the next one (as /mod resolve takes it). */
function splitOf(outcome: number, outcomes: number, percent: number | null) {
  if (percent === null) return {};
  if (outcomes === 2) return { probability: percent };
  return { probabilities: `O${outcome}=${percent},O${(outcome + 1) % outcomes}=${100 - percent}` };
}

/** Each step happens after the one before, sometimes at the very same millisecond, so ties are common. */
const timed = fc.array(fc.tuple(step, fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 }))), { minLength: 5, maxLength: 40 });

describe('stored scores', () => {
  it('equal a full recomputation after random trades, forecasts, resolutions, corrections and cancellations', () => {
    const applied = { resolve: 0, correct: 0, cancel: 0, forecast: 0, probability: 0 };
    fc.assert(
      fc.property(timed, (steps) => {
        const h = testApp();
        try {
          const { service, resolution, forecasts } = h.app;
          const scoring = new ScoringStore(new SqliteStore(h.db));
          const markets: { id: string; slug: string; realm: string; outcomes: number; tag: string }[] = [];
          const statusOf = h.db.prepare<[string], { status: string }>('SELECT status FROM markets WHERE id = ?');
          let now = T0;
          const as = (name: string, moderator = false, realm = 'console'): Context => ({ realm, actor: { userId: name, displayName: name, isModerator: moderator }, now });
          const count = (kind: keyof typeof applied, result: { ok: boolean }) => {
            if (result.ok) applied[kind]++;
          };
          for (const [s, wait] of steps) {
            now += wait;
            // Corrections go to settled markets and everything else to unsettled ones, so few steps are refused.
            const settled = (id: string) => ['resolved', 'cancelled'].includes(statusOf.get(id)?.status ?? '');
            const candidates = markets.filter(({ id }) => settled(id) === (s.kind === 'correct'));
            const market = candidates.length === 0 ? undefined : candidates[('market' in s ? s.market : 0) % candidates.length];
            const user = USERS[('user' in s ? s.user : 0) % USERS.length]!;
            if (s.kind === 'open') {
              const outcomes = Array.from({ length: s.outcomes }, (_, k) => `O${k}`);
              const guildId = GUILDS[s.guild] ?? null;
              const realm = realmOfGuild(guildId);
              const opened = service.openMarket(
                { question: `Random market ${markets.length}`, criteria: 'x', outcomes, closesAt: now + s.closesIn * 1000, guildId, tags: [TAGS[s.tag]!] },
                as('mod', true, realm),
              );
              if (opened.ok) markets.push({ id: opened.value.id, slug: opened.value.slug, realm, outcomes: s.outcomes, tag: TAGS[s.tag]! });
              continue;
            }
            if (!market) continue;
            const mod = as('mod', true, market.realm);
            const member = as(user, false, market.realm);
            if (s.kind === 'buy') {
              service.buy({ marketId: market.slug, outcome: s.outcome % market.outcomes, amount: s.amount }, member);
            } else if (s.kind === 'sell') {
              const held = h.db.prepare<[string, string], { outcome: number }>('SELECT outcome FROM positions WHERE market_id = ? AND user_id = ? AND shares > 0').get(market.id, user);
              if (held) service.sell({ marketId: market.slug, outcome: held.outcome }, member);
            } else if (s.kind === 'forecast') {
              const outcome = `O${s.outcome % market.outcomes}`;
              count('forecast', forecasts.state({ marketId: market.slug, probability: s.probability / 100, outcome }, member));
            } else if (s.kind === 'close') {
              service.closeMarket(market.slug, mod);
            } else if (s.kind === 'cancel') {
              count('cancel', service.cancelMarket(market.slug, 'random', mod));
            } else if (s.kind === 'resolve') {
              const outcome = s.outcome % market.outcomes;
              const resolved = service.resolveMarket(market.slug, outcome, 'evidence', mod, splitOf(outcome, market.outcomes, s.percent));
              count('resolve', resolved);
              if (resolved.ok && resolved.value.market.resolution?.probabilities !== undefined) applied.probability++;
            } else {
              const outcome = s.outcome % market.outcomes;
              const target = s.outcome % 3 === 0 ? { cancel: true as const } : { outcome, split: splitOf(outcome, market.outcomes, s.percent) };
              const corrected = resolution.correctResolution(market.slug, target, 'evidence', mod);
              count('correct', corrected);
              if (corrected.ok && corrected.value.market.resolution?.probabilities !== undefined) applied.probability++;
            }
          }
          // The recomputation, from nothing but the markets and their forecasts, for every scope.
          for (const guild of GUILDS) {
            const resolved = [...scoring.markets(guild)].flatMap((row) => toScoredMarket(row) ?? []);
            const recomputed = summariseUsers(resolved, resolved.flatMap((m) => [...scoring.forecastsOn(m.marketId)]));
            const stored = forecasts.scoredUsers(guild).map(({ displayName: _name, ...user }) => user);
            const profits = new Map(scoring.profits(guild).map((row) => [row.userId, row.profit]));
            expect(stored).toEqual(recomputed.map((user) => ({ ...user, profit: profits.get(user.userId) ?? 0 })));
            for (const tag of TAGS) {
              const tagged = resolved.filter((m) => markets.some(({ id, tag: its }) => id === m.marketId && its === tag));
              const byTag = summariseUsers(tagged, tagged.flatMap((m) => [...scoring.forecastsOn(m.marketId)]));
              for (const user of byTag) {
                expect(forecasts.scoredUser(user.userId, guild, tag)).toEqual({ ...user, displayName: user.userId, profit: profits.get(user.userId) ?? 0 });
              }
            }
          }
          const problems: string[] = [];
          new ScoreStore(h.db, scoring).verifyStoredScores((problem) => problems.push(problem));
          expect(problems).toEqual([]);
        } finally {
          h.db.close();
        }
      }),
      { numRuns: 250 },
    );
    // The property must not pass on refusals alone.
    expect(applied.resolve).toBeGreaterThan(60);
    expect(applied.correct).toBeGreaterThan(15);
    expect(applied.cancel).toBeGreaterThan(10);
    expect(applied.forecast).toBeGreaterThan(100);
    expect(applied.probability).toBeGreaterThan(20);
  });

  it('are found out by verify when a stored row is changed', () => {
    const h = testApp();
    try {
      const mod: Context = { realm: 'console', actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now: T0 };
      const market = h.app.service.openMarket({ question: 'Is tampering found?', criteria: 'x', closesAt: T0 + 10_000 }, mod);
      if (!market.ok) throw new Error(market.error.message);
      h.app.forecasts.state({ marketId: market.value.id, probability: 0.7 }, { ...mod, actor: { ...mod.actor, userId: 'ann' }, now: T0 + 1 });
      h.app.service.resolveMarket(market.value.id, 'Yes', 'evidence', { ...mod, now: T0 + 2000 });
      const scoring = new ScoringStore(new SqliteStore(h.db));
      const problems: string[] = [];
      new ScoreStore(h.db, scoring).verifyStoredScores((problem) => problems.push(problem));
      expect(problems).toEqual([]);
      h.db.prepare('UPDATE member_market_scores SET peer_score = peer_score + 1e-9').run();
      new ScoreStore(h.db, scoring).verifyStoredScores((problem) => problems.push(problem));
      expect(problems).toEqual([expect.stringContaining(`stored scores of market ${market.value.id} differ`)]);
    } finally {
      h.db.close();
    }
  });
});
