import { SqliteStore } from '../db/sqlite-store.ts';
import type { Db } from '../db/open.ts';
import { creditsToMillis } from '../markets/money.ts';
import { MarketService } from '../markets/service.ts';
import { MarketViews } from '../markets/views.ts';
import type { App } from './commands/command.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/** Builds everything a handler may use from the config and an open database. */
export function createApp(config: Config, db: Db, log: Logger): App {
  const store = new SqliteStore(db);
  return {
    service: new MarketService(store, {
      startingGrant: creditsToMillis(config.CRUX_STARTING_GRANT),
      dailyAllowance: creditsToMillis(config.CRUX_DAILY_ALLOWANCE),
      defaultLiability: config.CRUX_DEFAULT_LIQUIDITY,
    }),
    views: new MarketViews(store),
    config,
    log,
  };
}
