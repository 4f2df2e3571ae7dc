import { afterEach, describe, expect, it } from 'vitest';
import { spreadForecast, toScoredMarket } from '../../markets/forecasts.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { failure, ok, T0, type TestEngine, testEngine } from '../support/engine.ts';
import { GUILD, HOUR, OTHER_GUILD, playScoringFixture, scoringOf } from '../support/scoring-fixture.ts';

let engine: TestEngine | undefined;
afterEach(() => {
  engine?.assertVerified();
  engine?.db.close();
  engine = undefined;
});

function setUp() {
  const e = (engine = testEngine());
  return { e, ...scoringOf(e.store) };
}

const brier = (p: number, happened: boolean) => (p - (happened ? 1 : 0)) ** 2;

describe('forecasts from the ledger and /forecast, scored through the real database', () => {
  it('reads each trade as the price right after it and each stated forecast as stated, resolved markets only', () => {
    const { e, scoring, forecasts } = setUp();
    const played = playScoringFixture(e.service, forecasts);
    const rome = [...scoring.forecasts(GUILD)].filter((forecast) => forecast.marketId === 'rome');
    const seq = expect.any(Number);
    expect(rome).toEqual([
      { userId: 'alice', marketId: 'rome', at: T0 + HOUR, probabilities: played.aliceFirst, source: 'trade', seq },
      { userId: 'bob', marketId: 'rome', at: T0 + 2 * HOUR, probabilities: [0.8, 1 - 0.8], source: 'stated', seq },
      { userId: 'alice', marketId: 'rome', at: T0 + 3 * HOUR, probabilities: played.aliceSecond, source: 'trade', seq },
      { userId: 'carol', marketId: 'rome', at: T0 + 4 * HOUR, probabilities: played.carol, source: 'trade', seq },
    ]);
    // One order: the stated forecast's place lies between the trades committed before and after it.
    expect(rome.map((forecast) => forecast.seq)).toEqual(rome.map((forecast) => forecast.seq).toSorted((a, b) => a - b));
    expect(new Set(rome.map((forecast) => forecast.seq)).size).toBe(4);
    expect(scoring.forecastsOn('rome')).toEqual(rome.map(({ source: _source, ...forecast }) => forecast));
    const resolved = (guild: string | null) => [...scoring.markets(guild)].flatMap((market) => toScoredMarket(market) ?? []);
    expect(resolved(GUILD)).toEqual([
      { marketId: 'labs', outcomes: ['A', 'B', 'C'], openedAt: T0, closesAt: T0 + 5 * HOUR, resolvedOutcome: 2 },
      { marketId: 'rome', outcomes: ['Yes', 'No'], openedAt: T0, closesAt: T0 + 6 * HOUR, resolvedOutcome: 0 },
    ]);
    expect(resolved(OTHER_GUILD).map((market) => market.marketId)).toEqual(['elsewhere']);
    expect(resolved(null)).toHaveLength(3);
  });

  it('scores every user by hand-computable time averages, ignoring the cancelled market and the other guild', () => {
    const { e, forecasts } = setUp();
    const { aliceFirst, aliceSecond, carol, dave, erinStated } = playScoringFixture(e.service, forecasts);
    const users = new Map(forecasts.scoredUsers(GUILD).map((user) => [user.userId, user]));
    expect([...users.keys()]).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);

    // rome: window 1h-6h for alice (first price held 2h, second 3h), 2h-6h for bob, 4h-6h for carol; Yes happened.
    const aliceBrier = (brier(aliceFirst[0]!, true) * 2 + brier(aliceSecond[0]!, true) * 3) / 5;
    const bobBrier = brier(0.8, true);
    const carolBrier = brier(carol[0]!, true);
    // Relative Brier, interval by interval: 1h-2h alice alone; 2h-4h alice and bob (the median is their mean);
    // 4h-6h alice, bob and carol (the median is the middle one).
    const [first, second] = [brier(aliceFirst[0]!, true), brier(aliceSecond[0]!, true)];
    const lateMedian = [second, bobBrier, carolBrier].sort((a, b) => a - b)[1]!;
    const aliceRelative = ((first - bobBrier) / 2 + (second - bobBrier) / 2 + 2 * (second - lateMedian)) / 5;
    const carolRelative = carolBrier - lateMedian;
    expect(users.get('alice')).toMatchObject({
      marketsForecast: 1,
      meanBrier: expect.closeTo(aliceBrier, 12),
      meanFinalBrier: expect.closeTo(brier(aliceSecond[0]!, true), 12),
      meanLogScore: expect.closeTo((Math.log(aliceFirst[0]!) * 2 + Math.log(aliceSecond[0]!) * 3) / 5, 12),
      meanRelativeBrier: expect.closeTo(aliceRelative, 12),
    });
    expect(users.get('bob')).toMatchObject({ meanBrier: expect.closeTo(0.04, 12), meanLogScore: expect.closeTo(Math.log(0.8), 12), profit: 0, displayName: 'bob' });
    expect(users.get('carol')).toMatchObject({ meanBrier: expect.closeTo(carolBrier, 12), meanRelativeBrier: expect.closeTo(carolRelative, 12) });

    // labs: three outcomes, C happened; the multi-outcome Brier sums over outcomes.
    const multiBrier = (p: readonly number[]) => p[0]! ** 2 + p[1]! ** 2 + (p[2]! - 1) ** 2;
    expect(users.get('dave')?.meanBrier).toBeCloseTo(multiBrier(dave), 12);
    expect(users.get('erin')?.meanBrier).toBeCloseTo(multiBrier(erinStated), 12);
    expect(users.get('erin')?.meanLogScore).toBeCloseTo(Math.log(erinStated[2]!), 12);

    // Calibration: alice's two binary forecasts enter with the Yes probability, both happened.
    const aliceBuckets = users.get('alice')?.calibration.filter((bucket) => bucket.count > 0);
    expect(aliceBuckets?.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(2);
    expect(aliceBuckets?.every((bucket) => bucket.observedFrequency === 1)).toBe(true);
    // erin's one three-way forecast enters once per outcome.
    expect(users.get('erin')?.calibration.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(3);
    // Profit is carried over from the ledger (millis), for traders only, as the profit leaderboard counts it.
    const leaderboardProfit = (userId: string) => e.store.profits(GUILD, 100).find((row) => row.userId === userId)?.profit;
    for (const userId of ['alice', 'carol', 'dave']) expect(users.get(userId)?.profit).toBe(leaderboardProfit(userId));
    expect(users.get('alice')?.profit).not.toBe(e.store.profits(null, 100).find((row) => row.userId === 'alice')?.profit);
  });

  it('scores one user from the markets they forecast on alone, equal to their row among everyone', () => {
    const { e, forecasts } = setUp();
    playScoringFixture(e.service, forecasts);
    // A market outside every guild, so "all guilds" holds more than the two guilds together.
    ok(e.service.openMarket({ id: 'console', question: 'Console only?', criteria: 'x', closesAt: T0 + 100 * HOUR }, e.member('alice')));
    ok(e.service.buy({ marketId: 'console', outcome: 'Yes', amount: creditsToMillis(12) }, e.member('alice')));
    for (const guild of [GUILD, OTHER_GUILD, null]) {
      const everyone = forecasts.scoredUsers(guild);
      expect(everyone.length).toBeGreaterThan(0);
      for (const user of everyone) expect(forecasts.scoredUser(user.userId, guild)).toEqual(user);
      expect(forecasts.scoredUser('nobody', guild)).toBeNull();
    }
    expect(forecasts.scoredUser('bob', OTHER_GUILD)).toBeNull();
  });

  it('counts profit across all guilds as the sum of each guild and the markets outside any', () => {
    const { e, scoring, forecasts } = setUp();
    playScoringFixture(e.service, forecasts);
    ok(e.service.openMarket({ id: 'console', question: 'Console only?', criteria: 'x', closesAt: T0 + 100 * HOUR }, e.member('alice')));
    ok(e.service.buy({ marketId: 'console', outcome: 'Yes', amount: creditsToMillis(12) }, e.member('alice')));
    const profit = (guild: string | null, userId: string) => scoring.profits(guild).find((row) => row.userId === userId)?.profit ?? 0;
    const all = scoring.profits(null);
    // Bob and erin only stated forecasts: they never traded, so they have no profit row.
    expect(all.map((row) => row.userId).sort()).toEqual(['alice', 'carol', 'dave']);
    // Alice paid 12 into the console market, which is in no guild.
    expect(profit(null, 'alice')).toBe(profit(GUILD, 'alice') + profit(OTHER_GUILD, 'alice') - creditsToMillis(12));
    for (const { userId, profit: total } of all) {
      if (userId !== 'alice') expect(total).toBe(profit(GUILD, userId) + profit(OTHER_GUILD, userId));
      for (const guild of [GUILD, OTHER_GUILD, null]) expect(scoring.profitOf(userId, guild)?.profit).toBe(scoring.profits(guild).find((row) => row.userId === userId)?.profit);
    }
    expect(scoring.profitOf('bob', null)).toBeUndefined();

    // Markets opened in another realm change nothing of GUILD's profits.
    const fromBalances = scoring.profits(GUILD);
    for (let i = 0; i < 4; i++) {
      ok(e.service.openMarket({ id: `elsewhere-${i}`, question: 'More elsewhere?', criteria: 'x', closesAt: T0 + 100 * HOUR, guildId: OTHER_GUILD }, { ...e.member('zed'), realm: OTHER_GUILD }));
    }
    expect(scoring.profits(GUILD)).toEqual(fromBalances);
  });

  it('puts trades recorded out of time order back in order, and names a corrupt trade row', () => {
    const { e, scoring, scores, forecasts } = setUp();
    playScoringFixture(e.service, forecasts);
    const romeTrades = () => e.db.prepare<[], { id: number }>("SELECT id FROM ledger WHERE market_id = 'rome' AND reason = 'buy' ORDER BY id").all();
    const [first, second, third] = romeTrades().map((row) => row.id);
    e.db.exec('DROP TRIGGER ledger_refuses_updates');
    const setTrade = e.db.prepare('UPDATE ledger SET at = ?, prices_after = ? WHERE id = ?');
    const original = e.db.prepare<[number], { at: number; prices_after: string }>('SELECT at, prices_after FROM ledger WHERE id = ?');
    const third0 = original.get(third!)!;
    // The third trade recorded as made first: read back first in time, the stated forecast still in its place.
    setTrade.run(T0 + HOUR / 2, third0.prices_after, third!);
    expect(scoring.forecastsOn('rome').map((forecast) => [forecast.userId, forecast.at])).toEqual([
      ['carol', T0 + HOUR / 2],
      ['alice', T0 + HOUR],
      ['bob', T0 + 2 * HOUR],
      ['alice', T0 + 3 * HOUR],
    ]);
    setTrade.run(third0.at, 'not json', second!);
    expect(() => scoring.forecastsOn('rome')).toThrow(new RegExp(`ledger row ${second}`));
    setTrade.run(third0.at, '["0.5", 0.5]', second!);
    expect(() => scoring.forecastsOn('rome')).toThrow(new RegExp(`Non-numbers in the prices of ledger row ${second}`));
    setTrade.run(third0.at, null, first!);
    expect(() => scores.rescoreMarket('rome')).toThrow(/Corrupt/);
    // The checks that follow every test would fail on the rows corrupted here; they are about the ledger, not reads.
    engine = undefined;
    e.db.close();
  });

  it('spreads a forecast on one of several outcomes over the others in proportion to their prices', () => {
    const { e, forecasts } = setUp();
    const { dave, erinStated } = playScoringFixture(e.service, forecasts);
    const othersShare = 0.5 / (dave[1]! + dave[2]!);
    expect(erinStated).toEqual([0.5, dave[1]! * othersShare, dave[2]! * othersShare]);
    expect(erinStated.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
    expect(spreadForecast([0.5, 0.5], 1, 0.3)).toEqual([0.7, 0.3]);
    const spread = spreadForecast([0.2, 0.3, 0.5], 0, 0.6);
    expect(spread[0]).toBe(0.6);
    expect(spread[1]).toBeCloseTo(0.15, 15);
    expect(spread[2]).toBeCloseTo(0.25, 15);
  });

  it('refuses forecasts it would never score, and records a repeated request once', () => {
    const { e, scoring, forecasts } = setUp();
    playScoringFixture(e.service, forecasts);
    const question = { question: 'A fresh three-way market?', criteria: 'x', closesAt: T0 + 10 * HOUR, outcomes: ['A', 'B', 'C'] };
    ok(e.service.openMarket({ ...question, id: 'fresh' }, { ...e.member('alice'), realm: GUILD }));
    const at = (now: number, requestId?: string) => ({ ...e.member('zed'), realm: GUILD, now, ...(requestId ? { requestId } : {}) });
    expect(failure(forecasts.state({ marketId: 'rome', probability: 0.6 }, at(T0 + 8 * HOUR))).code).toBe('market_not_open');
    expect(failure(forecasts.state({ marketId: 'nope', probability: 0.6 }, at(T0))).code).toBe('unknown_market');
    expect(failure(forecasts.state({ marketId: 'fresh', probability: 0.6 }, at(T0))).message).toContain('name the outcome');
    expect(failure(forecasts.state({ marketId: 'fresh', probability: 0.6, outcome: 'D' }, at(T0))).code).toBe('unknown_outcome');
    expect(failure(forecasts.state({ marketId: 'fresh', probability: 0.6, outcome: 'A' }, at(T0 + 10 * HOUR))).code).toBe('market_not_open');
    ok(forecasts.state({ marketId: 'fresh', probability: 0.6, outcome: 'A' }, at(T0 + HOUR, 'twice')));
    ok(forecasts.state({ marketId: 'fresh', probability: 0.6, outcome: 'A' }, at(T0 + HOUR, 'twice')));
    expect([...scoring.statedForecasts(null)].filter((forecast) => forecast.marketId === 'fresh')).toHaveLength(1);
    expect(() => e.db.prepare('DELETE FROM forecasts').run()).toThrow(/append-only/);
    expect(() => e.db.prepare('UPDATE forecasts SET at = 0').run()).toThrow(/append-only/);
  });

  it('streams the ledger and markets in order, one guild at a time', () => {
    const { e, scoring, forecasts } = setUp();
    playScoringFixture(e.service, forecasts);
    const all = [...scoring.ledger(null)];
    expect(all.map((entry) => entry.id)).toEqual(all.map((_, index) => index + 1));
    const guildEntries = [...scoring.ledger(GUILD)];
    // The guild's markets' rows, and the grants of its members' accounts there; nothing of the other guild.
    expect(guildEntries.every((entry) => (entry.marketId === null ? entry.to.startsWith(`user:${GUILD}:`) : entry.marketId !== 'elsewhere'))).toBe(true);
    expect(guildEntries.filter((entry) => entry.reason === 'grant').map((entry) => entry.to)).toContain(`user:${GUILD}:alice`);
    expect(guildEntries.filter((entry) => entry.reason === 'buy').map((entry) => entry.holder)).toEqual(['alice', 'alice', 'carol', 'dave', 'alice']);
    expect([...scoring.markets(GUILD)].map((market) => [market.id, market.status])).toEqual([
      ['labs', 'resolved'],
      ['rome', 'resolved'],
      ['void', 'cancelled'],
    ]);
    expect(scoring.pricePath('rome').map((point) => point.at)).toEqual([T0, T0 + HOUR, T0 + 3 * HOUR, T0 + 4 * HOUR]);
  });
});
