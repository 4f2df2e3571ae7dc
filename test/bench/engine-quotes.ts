import { quoteBuyForAmount } from '../../markets/trade.ts';
import type { Market } from '../../markets/market.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { ok, testEngine } from '../support/engine.ts';
import { openBenchMarket } from './markets.ts';
import { warmThenMeasure } from './measure.ts';
import { randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

const WARM_SECONDS = 0.5;
const QUOTE_SECONDS = 2;
const SHAPES = [2, 20];

/** A market of `outcomes` outcomes, opened and traded a little in memory so its prices are uneven. */
function tradedMarket(outcomes: number): Market {
  const engine = testEngine();
  try {
    const market = openBenchMarket(engine.service, 'quoted', outcomes, engine.member('maker'));
    for (let k = 0; k < outcomes; k++) {
      ok(engine.service.buy({ marketId: market.id, outcome: k, amount: creditsToMillis(5 * (k + 1)) }, engine.member(`trader-${k}`)));
    }
    return engine.store.findMarket(market.id)!;
  } finally {
    engine.db.close();
  }
}

/** Pure pricing, no I/O: how many buy quotes per second the engine computes, to show it is not what limits trades. */
export function runEngineQuotesBench(report: Report): void {
  for (const outcomes of SHAPES) {
    const market = tradedMarket(outcomes);
    const random = seededRandom(outcomes);
    // Summed and checked so the quotes cannot be optimised away as unused.
    let cashQuoted = 0;
    const rate = warmThenMeasure(WARM_SECONDS, QUOTE_SECONDS, () => {
      cashQuoted += quoteBuyForAmount(market, randomInt(random, outcomes), creditsToMillis(1 + randomInt(random, 100))).cash;
    });
    if (!(cashQuoted > 0)) throw new Error('the quotes priced nothing');
    report.figure(`engine_quotes_per_s_${outcomes}_outcomes`, rate.perSecond);
  }
}
