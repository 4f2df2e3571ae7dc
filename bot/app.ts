import { ScoreStore } from '../db/score-store.ts';
import { ScoringStore } from '../db/scoring-store.ts';
import { SqliteStore } from '../db/sqlite-store.ts';
import { SqliteResolutionStore } from '../db/sources-store.ts';
import type { Db } from '../db/open.ts';
import { ForecastService } from '../markets/forecasts.ts';
import { creditsToMillis } from '../markets/money.ts';
import { ResolutionService } from '../markets/resolution/service.ts';
import { MarketService } from '../markets/service.ts';
import { MarketViews } from '../markets/views.ts';
import type { App } from './commands/command.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

const MINUTE_MS = 60_000;

/** Builds everything a handler may use from the config and an open database. */
export function createApp(config: Config, db: Db, log: Logger): App {
  const store = new SqliteStore(db);
  const scoring = new ScoringStore(store);
  const service = new MarketService(store, {
    startingGrant: creditsToMillis(config.CRUX_STARTING_GRANT),
    dailyAllowance: creditsToMillis(config.CRUX_DAILY_ALLOWANCE),
    defaultLiability: config.CRUX_DEFAULT_LIQUIDITY,
  });
  return {
    service,
    resolution: new ResolutionService(store, new SqliteResolutionStore(db), service, {
      pollIntervalMs: config.CRUX_SOURCE_POLL_MINUTES * MINUTE_MS,
      maxPollIntervalMs: config.CRUX_SOURCE_MAX_BACKOFF_MINUTES * MINUTE_MS,
    }),
    forecasts: new ForecastService(scoring, new ScoreStore(db, scoring)),
    views: new MarketViews(store),
    config,
    log,
  };
}
