import { SqliteConditionStore } from '../db/cruxes-store.ts';
import { ScoreStore } from '../db/score-store.ts';
import { ScoringStore } from '../db/scoring-store.ts';
import { SqliteStore } from '../db/sqlite-store.ts';
import { SqliteResolutionStore } from '../db/sources-store.ts';
import { SqliteSettlementStore } from '../db/settlement-store.ts';
import { SettlementService } from '../markets/settlement/service.ts';
import type { Db } from '../db/open.ts';
import { SqliteEvidenceStore } from '../db/evidence-store.ts';
import { SqliteNotificationStore } from '../db/notifications-store.ts';
import { MarketEditService } from '../markets/edits.ts';
import { EvidenceService } from '../markets/evidence/service.ts';
import { NotificationService } from '../markets/notifications/service.ts';
import { CruxService } from '../markets/cruxes/service.ts';
import { ForecastService } from '../markets/forecasts.ts';
import { creditsToMillis } from '../markets/money.ts';
import { ResolutionService } from '../markets/resolution/service.ts';
import type { LinkGuard } from '../markets/sources/link-guard.ts';
import { MarketService } from '../markets/service.ts';
import { MarketViews } from '../markets/views.ts';
import { RealmSettingsService } from '../markets/realms/service.ts';
import type { RealmSettings } from '../markets/realms/settings.ts';
import { SqliteRealmSettingsStore } from '../db/realms-store.ts';
import type { App } from './commands/command.ts';
import type { Config } from './config.ts';
import { DNS_LINK_GUARD } from './dns-guard.ts';
import type { Logger } from './log.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** What a server that set nothing gets: the environment's values. */
export function realmDefaults(config: Config): RealmSettings {
  return {
    moderatorRole: config.CRUX_MODERATOR_ROLE ?? null,
    startingGrant: creditsToMillis(config.CRUX_STARTING_GRANT),
    dailyAllowance: creditsToMillis(config.CRUX_DAILY_ALLOWANCE),
    defaultLiquidity: config.CRUX_DEFAULT_LIQUIDITY,
    moderatorChannel: config.CRUX_MODERATOR_CHANNEL ?? null,
    marketChannel: null,
    maxOpenMarkets: config.CRUX_MAX_OPEN_MARKETS_PER_USER,
    rateLimitPerMinute: config.CRUX_RATE_LIMIT_PER_MINUTE,
    leaderboardMinMarkets: config.CRUX_LEADERBOARD_MIN_MARKETS,
    disputeWindowHours: config.CRUX_DISPUTE_WINDOW_HOURS,
    recusalRequired: config.CRUX_RECUSAL_REQUIRED,
    recusalDays: config.CRUX_RECUSAL_DAYS,
    quorumPool: creditsToMillis(config.CRUX_QUORUM_POOL),
    threadMode: config.CRUX_THREADS,
    quietChannel: config.CRUX_QUIET_CHANNEL,
    reasonPoints: config.CRUX_REASON_POINTS,
    alertPoints: config.CRUX_ALERT_POINTS,
    linkPreviews: config.CRUX_LINK_PREVIEWS,
  };
}

/**
 * Builds everything a handler may use from the config and an open database. `linkGuard` is DNS unless a test
 * answers host names itself.
 */
export function createApp(config: Config, db: Db, log: Logger, linkGuard: LinkGuard = DNS_LINK_GUARD): App {
  const store = new SqliteStore(db, {
    onFilesLost: (reason) => log('stopped writing: the database files changed under Crux', { database: config.CRUX_DATABASE, reason }),
  });
  const scoring = new ScoringStore(store);
  const realms = new RealmSettingsService(store, new SqliteRealmSettingsStore(db), realmDefaults(config));
  const notes = new SqliteNotificationStore(db);
  const evidenceStore = new SqliteEvidenceStore(db);
  const notifications = new NotificationService(store, notes, (realm) => realms.values(realm));
  const conditions = new SqliteConditionStore(db);
  const sources = new SqliteResolutionStore(db);
  const settlements = new SettlementService(
    store,
    new SqliteSettlementStore(db),
    (realm) => {
      const settings = realms.values(realm);
      return {
        windowMs: Math.round(settings.disputeWindowHours * HOUR_MS),
        recusalRequired: settings.recusalRequired,
        recusalMs: settings.recusalDays * 24 * HOUR_MS,
        quorumPool: settings.quorumPool,
      };
    },
    conditions,
    notifications.record,
  );
  const service = new MarketService(
    store,
    (realm) => {
      const settings = realms.values(realm);
      return { startingGrant: settings.startingGrant, dailyAllowance: settings.dailyAllowance, defaultLiability: settings.defaultLiquidity };
    },
    settlements,
    conditions,
    notifications.record,
  );
  return {
    service,
    settlements,
    realms,
    evidence: new EvidenceService(store, evidenceStore, notifications.record),
    edits: new MarketEditService(store, evidenceStore, notifications.record),
    notifications,
    resolution: new ResolutionService(store, sources, service, conditions, settlements, {
      pollIntervalMs: config.CRUX_SOURCE_POLL_MINUTES * MINUTE_MS,
      maxPollIntervalMs: config.CRUX_SOURCE_MAX_BACKOFF_MINUTES * MINUTE_MS,
    }),
    forecasts: new ForecastService(scoring, new ScoreStore(db, scoring)),
    cruxes: new CruxService(store, conditions, service),
    views: new MarketViews(store, {
      settlementOf: (marketId) => settlements.latest(marketId),
      conditions,
      odds: sources,
      conversation: {
        evidence: (marketId) => evidenceStore.evidence(marketId),
        edits: (marketId) => evidenceStore.edits(marketId).length,
        thread: (marketId) => notes.thread(marketId)?.threadId ?? null,
      },
    }),
    config,
    log,
    durable: () => store.durable(),
    linkGuard,
  };
}
