import { ScoreStore } from '../../db/score-store.ts';
import { ScoringStore } from '../../db/scoring-store.ts';
import type { SqliteStore } from '../../db/sqlite-store.ts';
import { ForecastService } from '../../markets/forecasts.ts';
import { creditsToMillis } from '../../markets/money.ts';
import type { Context, MarketService } from '../../markets/service.ts';
import { ok, T0 } from './engine.ts';

export const HOUR = 60 * 60 * 1000;
export const GUILD = '100000000000000001';
export const OTHER_GUILD = '200000000000000002';

/** The scoring reads and stored scores over a store, wired as the app wires them. */
export function scoringOf(store: SqliteStore) {
  const scoring = new ScoringStore(store);
  const scores = new ScoreStore(store.db, scoring);
  return { scoring, scores, forecasts: new ForecastService(scoring, scores) };
}

const member = (userId: string, at: number, requestId?: string, realm: string = GUILD): Context => ({
  realm,
  actor: { userId, displayName: userId, isModerator: false },
  now: at,
  ...(requestId !== undefined ? { requestId } : {}),
});
const moderator = (at: number, realm: string = GUILD): Context => ({ realm, actor: { userId: 'mod', displayName: 'mod', isModerator: true }, now: at });

/**
 * Hand-made history with known times: on `rome` (binary, opens at 50%, resolves Yes) alice trades twice, bob states
 * 80% without betting and carol bets against; on `labs` (three outcomes, resolves C) dave trades and erin states a
 * forecast on A; `void` is cancelled and `elsewhere` resolves in another guild, so neither counts in GUILD.
 * Returns each trade's prices, from which the scores are computed by hand in the tests.
 */
export function playScoringFixture(service: MarketService, forecasts: ForecastService) {
  const question = { criteria: 'As the fixture says.', closesAt: T0 + 100 * HOUR, guildId: GUILD };
  ok(service.openMarket({ ...question, id: 'rome', question: 'Will ROME "replicate", soon?', probability: 0.5 }, member('alice', T0)));
  const aliceFirst = ok(service.buy({ marketId: 'rome', outcome: 'Yes', amount: creditsToMillis(20) }, member('alice', T0 + HOUR))).quote.pricesAfter;
  const bobStated = ok(forecasts.state({ marketId: 'rome', probability: 0.8 }, member('bob', T0 + 2 * HOUR, 'bob-rome'))).probabilities;
  const aliceSecond = ok(service.buy({ marketId: 'rome', outcome: 'Yes', amount: creditsToMillis(10) }, member('alice', T0 + 3 * HOUR))).quote.pricesAfter;
  const carol = ok(service.buy({ marketId: 'rome', outcome: 'No', amount: creditsToMillis(30) }, member('carol', T0 + 4 * HOUR))).quote.pricesAfter;
  ok(service.closeMarket('rome', moderator(T0 + 6 * HOUR)));
  ok(service.resolveMarket('rome', 'Yes', 'https://example.org/rome', moderator(T0 + 7 * HOUR)));

  ok(service.openMarket({ ...question, id: 'labs', question: 'Which lab ships first?', outcomes: ['A', 'B', 'C'] }, member('dave', T0)));
  const dave = ok(service.buy({ marketId: 'labs', outcome: 'B', amount: creditsToMillis(25) }, member('dave', T0 + HOUR))).quote.pricesAfter;
  const erinStated = ok(forecasts.state({ marketId: 'labs', probability: 0.5, outcome: 'a' }, member('erin', T0 + 2 * HOUR, 'erin-labs'))).probabilities;
  ok(service.resolveMarket('labs', 'C', 'https://example.org/labs', moderator(T0 + 5 * HOUR)));

  ok(service.openMarket({ ...question, id: 'void', question: 'Is this market ill-posed?' }, member('alice', T0)));
  ok(service.buy({ marketId: 'void', outcome: 'No', amount: creditsToMillis(15) }, member('alice', T0 + HOUR)));
  ok(service.cancelMarket('void', 'ill-posed', moderator(T0 + 2 * HOUR)));

  ok(service.openMarket({ ...question, id: 'elsewhere', question: 'Does another guild count?', guildId: OTHER_GUILD }, member('alice', T0, undefined, OTHER_GUILD)));
  ok(service.buy({ marketId: 'elsewhere', outcome: 'No', amount: creditsToMillis(15) }, member('alice', T0 + HOUR, undefined, OTHER_GUILD)));
  ok(service.resolveMarket('elsewhere', 'Yes', 'https://example.org/elsewhere', moderator(T0 + 2 * HOUR, OTHER_GUILD)));

  return { aliceFirst, bobStated, aliceSecond, carol, dave, erinStated };
}
