import type { ExportedLedgerEntry, ScoringStore } from '../../db/scoring-store.ts';
import { guildOfRealm } from '../../markets/realms/realm.ts';
import { type ForecastService, toScoredMarket } from '../../markets/forecasts.ts';
import { scoreCrowd } from '../../markets/scoring/index.ts';
import { csvChunks, type ExportFormat, type ExportHeader, jsonChunks } from './format.ts';
import {
  FORECAST_COLUMNS,
  forecastRow,
  LEDGER_COLUMNS,
  ledgerRow,
  MARKET_COLUMNS,
  marketFactsRow,
  marketRow,
  USER_SCORE_COLUMNS,
  userScoreRow,
} from './rows.ts';

/** What an export reads: the scoring store's streams and the scores built on them. */
export interface ExportSources {
  readonly scoring: ScoringStore;
  readonly forecasts: ForecastService;
}

export interface ExportRequest {
  readonly format: ExportFormat;
  /** One realm's markets (a guild id, or `console`), or every realm's for null. */
  readonly guildId: string | null;
  readonly generatedAt: number;
}

export const EXPORT_KINDS = ['calibration', 'forecasts', 'ledger', 'markets'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The chunks of one export file; nothing is read from the database until they are consumed. */
export function exportChunks(kind: ExportKind, sources: ExportSources, request: ExportRequest): Iterable<string> {
  const header: ExportHeader = { name: kind, generatedAt: request.generatedAt };
  const csv = request.format === 'csv';
  switch (kind) {
    case 'calibration': {
      // Members are scored within each server: every realm's rows in turn, unless one server is asked for.
      const realms = request.guildId === null ? sources.scoring.realms() : [request.guildId];
      const rows = {
        *[Symbol.iterator]() {
          for (const realm of realms) {
            for (const user of sources.forecasts.scoredUsers(realm)) yield userScoreRow(user, guildOfRealm(realm));
          }
        },
      };
      return csv ? csvChunks(header, USER_SCORE_COLUMNS, rows) : jsonChunks(header, { users: rows });
    }
    case 'forecasts': {
      const guilds = marketGuilds(sources.scoring, request.guildId);
      const rows = mapped(() => sources.scoring.forecasts(request.guildId), (forecast) => forecastRow(forecast, guilds.get(forecast.marketId) ?? null));
      return csv ? csvChunks(header, FORECAST_COLUMNS, rows) : jsonChunks(header, { forecasts: rows });
    }
    case 'markets': {
      const rows = marketRows(sources.scoring, request.guildId);
      return csv ? csvChunks(header, MARKET_COLUMNS, rows) : jsonChunks(header, { markets: rows });
    }
    case 'ledger': {
      const guilds = marketGuilds(sources.scoring, request.guildId);
      const accountRealms = sources.scoring.accountRealms();
      // A row with a market belongs to the market's server; one without (a grant) to the server of its member's account.
      const guildOf = (entry: ExportedLedgerEntry) => {
        if (entry.marketId !== null) return guilds.get(entry.marketId) ?? null;
        const realm = accountRealms.get(entry.to) ?? accountRealms.get(entry.from);
        return realm === undefined ? null : guildOfRealm(realm);
      };
      const entries = mapped(() => sources.scoring.ledger(request.guildId), (entry) => ledgerRow(entry, guildOf(entry)));
      if (csv) return csvChunks(header, LEDGER_COLUMNS, entries);
      // The JSON ledger carries what scoring needs beyond the ledger, so scores can be recomputed from it alone.
      const markets = mapped(() => sources.scoring.markets(request.guildId), marketFactsRow);
      const statedForecasts = mapped(
        () => sources.scoring.statedForecasts(request.guildId),
        (forecast) => forecastRow(forecast, guilds.get(forecast.marketId) ?? null),
      );
      return jsonChunks(header, { markets, stated_forecasts: statedForecasts, entries });
    }
  }
}

/** Each exported market's server, read once: an export has far fewer markets than rows. */
function marketGuilds(scoring: ScoringStore, guildId: string | null): Map<string, string | null> {
  return new Map([...scoring.markets(guildId)].map((market) => [market.id, guildOfRealm(market.realm)]));
}

function marketRows(scoring: ScoringStore, guildId: string | null) {
  return mapped(
    () => scoring.markets(guildId),
    (market) => {
      const scored = toScoredMarket(market);
      return marketRow(market, scored ? scoreCrowd(scored, scoring.pricePath(market.id)) : null);
    },
  );
}

/** An iterable that starts its source only when iterated, so building an export reads nothing yet. */
function mapped<T, U>(source: () => Iterable<T>, map: (item: T) => U): Iterable<U> {
  return {
    *[Symbol.iterator]() {
      for (const item of source()) yield map(item);
    },
  };
}
