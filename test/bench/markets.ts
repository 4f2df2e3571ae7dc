import type { Market } from '../../markets/market.ts';
import type { Context, MarketService } from '../../markets/service.ts';
import { DAY, T0, ok } from '../support/engine.ts';

/** Opens a market with `outcomes` outcomes, named Outcome 1…n, that stays open well past any benchmark. */
export function openBenchMarket(service: MarketService, id: string, outcomes: number, maker: Context): Market {
  const names = Array.from({ length: outcomes }, (_, k) => `Outcome ${k + 1}`);
  return ok(
    service.openMarket({ id, question: `Benchmark market ${id}?`, criteria: 'Never resolved.', outcomes: names, closesAt: T0 + 30 * DAY }, maker),
  );
}
