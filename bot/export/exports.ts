import type { ScoringStore } from '../../db/scoring-store.ts';
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
  /** One guild's markets, or every guild's for null. */
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
      const rows = mapped(() => sources.forecasts.scoredUsers(request.guildId), userScoreRow);
      return csv ? csvChunks(header, USER_SCORE_COLUMNS, rows) : jsonChunks(header, { users: rows });
    }
    case 'forecasts': {
      const rows = mapped(() => sources.scoring.forecasts(request.guildId), forecastRow);
      return csv ? csvChunks(header, FORECAST_COLUMNS, rows) : jsonChunks(header, { forecasts: rows });
    }
    case 'markets': {
      const rows = marketRows(sources.scoring, request.guildId);
      return csv ? csvChunks(header, MARKET_COLUMNS, rows) : jsonChunks(header, { markets: rows });
    }
    case 'ledger': {
      const entries = mapped(() => sources.scoring.ledger(request.guildId), ledgerRow);
      if (csv) return csvChunks(header, LEDGER_COLUMNS, entries);
      // The JSON ledger carries what scoring needs beyond the ledger, so scores can be recomputed from it alone.
      const markets = mapped(() => sources.scoring.markets(request.guildId), marketFactsRow);
      const statedForecasts = mapped(() => sources.scoring.statedForecasts(request.guildId), forecastRow);
      return jsonChunks(header, { markets, stated_forecasts: statedForecasts, entries });
    }
  }
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
