import type { BoardQuery, BoardRow, ScoreBoard, ScoringReads, StoredUserScores, UserProfit } from '../markets/forecasts.ts';
import { toScoredMarket } from '../markets/forecasts.ts';
import { compareIds } from '../markets/scoring/collections.ts';
import {
  CalibrationTallies,
  type MemberMarketScore,
  scoreMarketMembers,
  type SparseTallies,
  type UserSummary,
  UserSummaryAccumulator,
} from '../markets/scoring/index.ts';
import type { Db } from './open.ts';
import { CorruptRowError } from './rows.ts';
import { IN_GUILD, type MarketRecord, type ScoringStore } from './scoring-store.ts';

/** The version of the scoring rules the stored scores follow: raise it when a rule changes, and they are rebuilt. */
export const SCORING_RULES = 1;

/** Whether the stored scores were computed by other rules (or never): they are rebuilt when the database is opened to write. */
export function scoresAreStale(db: Db): boolean {
  return db.prepare<[], { rules: number }>('SELECT rules FROM scoring_state WHERE id = 1').get()?.rules !== SCORING_RULES;
}

/**
 * Whether there is anything to score or compare: a resolved market, or stored scores. Opening and verifying a
 * database with neither (every test's, every new install's) then costs no statements beyond this one.
 */
export function holdsScores(db: Db): boolean {
  return db.prepare<[], { held: number }>(
    "SELECT EXISTS (SELECT 1 FROM markets WHERE status = 'resolved') OR EXISTS (SELECT 1 FROM member_score_totals) AS held",
  ).get()?.held === 1;
}

/** Marks the stored scores as computed by the current rules, for a database with nothing to score. */
export function markScoresCurrent(db: Db): void {
  db.prepare('UPDATE scoring_state SET rules = ? WHERE id = 1').run(SCORING_RULES);
}

/** The scope of totals over every guild's markets (what a guildId of null reads). */
const ALL_GUILDS = '*';

const SCORE_COLUMNS = 'brier, log_score, final_brier, final_log_score, relative_brier, baseline_score, peer_score, coverage, calibration';

interface ScoreRow {
  market_id: string;
  user_id: string;
  brier: number;
  log_score: number;
  final_brier: number;
  final_log_score: number;
  relative_brier: number;
  baseline_score: number;
  peer_score: number;
  coverage: number;
  calibration: string;
}

interface TotalsRow extends Omit<ScoreRow, 'market_id'> {
  markets: number;
  display_name: string | null;
}

/** Which stored column each board ranks by, and which way is better. */
const BOARD_COLUMNS: Record<ScoreBoard, { column: string; order: 'ASC' | 'DESC' }> = {
  peer: { column: 'peer_score', order: 'DESC' },
  baseline: { column: 'baseline_score', order: 'DESC' },
  relative: { column: 'relative_brier', order: 'ASC' },
  brier: { column: 'brier', order: 'ASC' },
  log: { column: 'log_score', order: 'DESC' },
};

interface BoardQueryRow {
  user_id: string;
  display_name: string | null;
  markets: number;
  value: number;
}

/**
 * A member's name: their account's, or for a member who only ever stated forecasts, the one they last stated with.
 * Both come from the totals' realm: a member's nickname in one server is not shown in another's boards.
 */
const DISPLAY_NAME = `CASE WHEN t.scope = '${ALL_GUILDS}'
  THEN COALESCE(
    (SELECT a.display_name FROM accounts a WHERE a.kind = 'user' AND a.user_id = t.user_id AND a.display_name IS NOT NULL LIMIT 1),
    (SELECT f.display_name FROM forecasts f WHERE f.user_id = t.user_id AND f.display_name IS NOT NULL ORDER BY f.seq DESC LIMIT 1))
  ELSE COALESCE(
    (SELECT a.display_name FROM accounts a WHERE a.id = 'user:' || t.scope || ':' || t.user_id),
    (SELECT f.display_name FROM forecasts f JOIN markets m ON m.id = f.market_id
     WHERE f.user_id = t.user_id AND m.realm = t.scope AND f.display_name IS NOT NULL ORDER BY f.seq DESC LIMIT 1)) END`;

/**
 * The stored scores: each member's scores on each resolved market, written in the transaction that settles or
 * corrects it, and per member their means over each guild and over all guilds. Boards and /calibration read these
 * rows, so they cost the same on a server of a million trades as on a new one. Every stored number equals what
 * scoring all forecasts again gives (`verifyStoredScores`), since both come from the same pure functions, and the
 * means are summed in marketId order either way.
 */
export class ScoreStore implements ScoringReads {
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly scoring: ScoringStore,
  ) {
    this.statements = {
      usersOn: db.prepare<[string], { user_id: string }>('SELECT user_id FROM member_market_scores WHERE market_id = ?'),
      deleteMarket: db.prepare('DELETE FROM member_market_scores WHERE market_id = ?'),
      insertScore: db.prepare(`INSERT INTO member_market_scores (market_id, user_id, ${SCORE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      rowsOfUser: db.prepare<{ user: string; guild: string | null }, ScoreRow>(
        `SELECT s.* FROM member_market_scores s JOIN markets m ON m.id = s.market_id WHERE s.user_id = @user AND ${IN_GUILD} ORDER BY s.market_id`,
      ),
      rowsOfUserTagged: db.prepare<{ user: string; guild: string | null; tag: string }, ScoreRow>(
        `SELECT s.* FROM member_market_scores s JOIN markets m ON m.id = s.market_id
         WHERE s.user_id = @user AND ${IN_GUILD} AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = @tag) ORDER BY s.market_id`,
      ),
      rowsOnMarket: db.prepare<[string], ScoreRow>('SELECT * FROM member_market_scores WHERE market_id = ? ORDER BY user_id'),
      deleteTotals: db.prepare('DELETE FROM member_score_totals WHERE scope = ? AND user_id = ?'),
      upsertTotals: db.prepare(
        `INSERT OR REPLACE INTO member_score_totals (scope, user_id, markets, ${SCORE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      totalsOf: db.prepare<[string, string], TotalsRow>(`SELECT t.*, ${DISPLAY_NAME} AS display_name FROM member_score_totals t WHERE scope = ? AND user_id = ?`),
      totalsIn: db.prepare<[string], TotalsRow>(`SELECT t.*, ${DISPLAY_NAME} AS display_name FROM member_score_totals t WHERE scope = ?`),
      allTotals: db.prepare<[], TotalsRow & { scope: string }>('SELECT t.*, NULL AS display_name FROM member_score_totals t'),
      clearScores: db.prepare('DELETE FROM member_market_scores'),
      clearTotals: db.prepare('DELETE FROM member_score_totals'),
      boards: {
        peer: prepareBoard(db, 'peer'),
        baseline: prepareBoard(db, 'baseline'),
        relative: prepareBoard(db, 'relative'),
        brier: prepareBoard(db, 'brier'),
        log: prepareBoard(db, 'log'),
      } satisfies Record<ScoreBoard, unknown>,
    };
  }

  /**
   * Rewrites one market's rows from its forecasts (none unless it is resolved: a cancellation removes them) and the
   * totals of every member whose rows changed. Called inside the transaction that settles or corrects the market.
   */
  rescoreMarket(marketId: string): void {
    const market = this.scoring.market(marketId);
    if (!market) throw new CorruptRowError(`There is no market ${marketId} to score`);
    const touched = new Set(this.statements.usersOn.all(marketId).map((row) => row.user_id));
    this.statements.deleteMarket.run(marketId);
    for (const row of this.scoreMarket(market)) {
      this.insertScore(row);
      touched.add(row.userId);
    }
    for (const scope of scopesOf(market)) {
      for (const userId of touched) this.refreshTotals(scope, userId);
    }
  }

  /** Scores every resolved market again and stores the result, replacing whatever was stored; one transaction. */
  rebuild(): void {
    this.db.transaction(() => {
      this.statements.clearScores.run();
      this.statements.clearTotals.run();
      const totals = this.recompute((_, rows) => rows.forEach((row) => this.insertScore(row)));
      for (const [scope, accumulator] of totals) {
        for (const summary of accumulator.summaries()) this.writeTotals(scope, summary, accumulator.calibrationOf(summary.userId));
      }
      markScoresCurrent(this.db);
    })();
  }

  /**
   * What differs between the stored scores and a full recomputation from the forecasts; nothing when they agree.
   * Scores stored by other rules are not compared: they are rebuilt the next time the database is opened to write.
   */
  verifyStoredScores(report: (problem: string) => void): void {
    if (scoresAreStale(this.db)) return;
    const totals = this.recompute((marketId, rows) => {
      const stored = this.statements.rowsOnMarket.all(marketId).map((row) => scoreValues(toMemberScore(row)));
      const expected = rows.toSorted((a, b) => compareIds(a.userId, b.userId)).map(scoreValues);
      if (JSON.stringify(stored) !== JSON.stringify(expected)) {
        report(`stored scores of market ${marketId} differ from scoring its forecasts again (${stored.length} stored, ${expected.length} recomputed)`);
      }
    });
    const storedTotals = new Map<string, string>();
    for (const row of this.statements.allTotals.iterate()) storedTotals.set(`${row.scope}\u0000${row.user_id}`, JSON.stringify(toStoredScores(row)));
    let expectedCount = 0;
    for (const [scope, accumulator] of totals) {
      for (const summary of accumulator.summaries()) {
        expectedCount++;
        const { profit: _profit, ...scores } = summary;
        const expected = JSON.stringify({ ...scores, displayName: null });
        if (storedTotals.get(`${scope}\u0000${summary.userId}`) !== expected) {
          report(`stored totals of ${summary.userId} in scope ${scope} differ from a full recomputation`);
        }
      }
    }
    if (storedTotals.size !== expectedCount) report(`${storedTotals.size} members have stored totals but ${expectedCount} are scored`);
  }

  consistently<T>(read: () => T): T {
    return this.scoring.consistently(read);
  }

  storedScores(guildId: string | null): StoredUserScores[] {
    return this.statements.totalsIn
      .all(guildId ?? ALL_GUILDS)
      .map(toStoredScores)
      .sort((a, b) => compareIds(a.userId, b.userId));
  }

  storedScoresOf(userId: string, guildId: string | null, tag?: string): StoredUserScores | undefined {
    if (tag === undefined) {
      const row = this.statements.totalsOf.get(guildId ?? ALL_GUILDS, userId);
      return row && toStoredScores(row);
    }
    const summary = summariseRows(this.statements.rowsOfUserTagged.all({ user: userId, guild: guildId, tag })).summaries()[0];
    if (!summary) return undefined;
    const { profit: _profit, ...scores } = summary;
    const named = this.statements.totalsOf.get(guildId ?? ALL_GUILDS, userId);
    return { ...scores, displayName: named?.display_name ?? null };
  }

  board({ guildId, by, minMarkets, limit }: BoardQuery): BoardRow[] {
    return this.statements.boards[by]
      .all(guildId ?? ALL_GUILDS, minMarkets, limit)
      .map((row) => ({ userId: row.user_id, displayName: row.display_name, markets: row.markets, value: row.value }));
  }

  profits(guildId: string | null): UserProfit[] {
    return this.scoring.profits(guildId);
  }

  profitOf(userId: string, guildId: string | null): UserProfit | undefined {
    return this.scoring.profitOf(userId, guildId);
  }

  private scoreMarket(market: MarketRecord): MemberMarketScore[] {
    const scored = toScoredMarket(market);
    return scored ? scoreMarketMembers(scored, this.scoring.forecastsOn(market.id)) : [];
  }

  /**
   * Scores every resolved market in marketId order, handing each market's rows to `visit`, and sums them per scope
   * as the stored totals are summed: one market at a time, so memory holds one market's forecasts.
   */
  private recompute(visit: (marketId: string, rows: readonly MemberMarketScore[]) => void): Map<string, UserSummaryAccumulator> {
    const totals = new Map<string, UserSummaryAccumulator>();
    const markets = [...this.scoring.markets(null)].filter((market) => market.status === 'resolved');
    for (const market of markets.sort((a, b) => compareIds(a.id, b.id))) {
      const rows = this.scoreMarket(market);
      visit(market.id, rows);
      for (const scope of scopesOf(market)) {
        let accumulator = totals.get(scope);
        if (!accumulator) totals.set(scope, (accumulator = new UserSummaryAccumulator()));
        accumulator.addScoredMarket(market.id, rows);
      }
    }
    return totals;
  }

  private refreshTotals(scope: string, userId: string): void {
    const rows = this.statements.rowsOfUser.all({ user: userId, guild: scope === ALL_GUILDS ? null : scope });
    const accumulator = summariseRows(rows);
    const [summary] = accumulator.summaries();
    if (summary) this.writeTotals(scope, summary, accumulator.calibrationOf(userId));
    else this.statements.deleteTotals.run(scope, userId);
  }

  private insertScore(row: MemberMarketScore): void {
    this.statements.insertScore.run(...scoreValues(row));
  }

  private writeTotals(scope: string, summary: UserSummary, calibration: SparseTallies): void {
    this.statements.upsertTotals.run(
      scope, summary.userId, summary.marketsForecast, summary.meanBrier, summary.meanLogScore, summary.meanFinalBrier,
      summary.meanFinalLogScore, summary.meanRelativeBrier, summary.meanBaselineScore, summary.meanPeerScore,
      summary.meanCoverage, JSON.stringify(calibration),
    );
  }
}

/** Best first, then more markets scored, then by id; members with fewer than the minimum markets are left off. */
function prepareBoard(db: Db, by: ScoreBoard) {
  const { column, order } = BOARD_COLUMNS[by];
  return db.prepare<[string, number, number], BoardQueryRow>(
    `SELECT t.user_id, ${DISPLAY_NAME} AS display_name, t.markets, t.${column} AS value FROM member_score_totals t
     WHERE t.scope = ? AND t.markets >= ? ORDER BY t.${column} ${order}, t.markets DESC, t.user_id LIMIT ?`,
  );
}

/** The totals a market's rows count in: its realm's, and every realm's. */
function scopesOf(market: MarketRecord): string[] {
  return [market.realm, ALL_GUILDS];
}

/** A row's values in the order of the table's columns: what is stored, and what verification compares. */
function scoreValues(row: MemberMarketScore) {
  return [
    row.marketId, row.userId, row.timeAveragedBrier, row.timeAveragedLogScore, row.finalBrier, row.finalLogScore,
    row.relativeBrier, row.baselineScore, row.peerScore, row.coverage, JSON.stringify(row.calibration),
  ] as const;
}

/** One member's stored rows (in marketId order) summed as the full recomputation sums them. */
function summariseRows(rows: readonly ScoreRow[]): UserSummaryAccumulator {
  const accumulator = new UserSummaryAccumulator();
  for (const row of rows) accumulator.addScoredMarket(row.market_id, [toMemberScore(row)]);
  return accumulator;
}

function toMemberScore(row: ScoreRow): MemberMarketScore {
  return {
    userId: row.user_id,
    marketId: row.market_id,
    timeAveragedBrier: row.brier,
    timeAveragedLogScore: row.log_score,
    finalBrier: row.final_brier,
    finalLogScore: row.final_log_score,
    relativeBrier: row.relative_brier,
    baselineScore: row.baseline_score,
    peerScore: row.peer_score,
    coverage: row.coverage,
    calibration: parseTallies(row.calibration, `scores of ${row.user_id} on ${row.market_id}`),
  };
}

function toStoredScores(row: TotalsRow): StoredUserScores {
  const tallies = new CalibrationTallies();
  tallies.addSparse(parseTallies(row.calibration, `score totals of ${row.user_id}`));
  return {
    userId: row.user_id,
    marketsForecast: row.markets,
    meanBrier: row.brier,
    meanLogScore: row.log_score,
    meanRelativeBrier: row.relative_brier,
    meanFinalBrier: row.final_brier,
    meanFinalLogScore: row.final_log_score,
    meanBaselineScore: row.baseline_score,
    meanPeerScore: row.peer_score,
    meanCoverage: row.coverage,
    calibration: tallies.table(),
    displayName: row.display_name,
  };
}

function parseTallies(text: string, where: string): SparseTallies {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((entry) => Array.isArray(entry) && entry.length === 4 && entry.every((n) => typeof n === 'number'))) {
      return value as SparseTallies;
    }
  } catch {
    // reported below
  }
  throw new CorruptRowError(`Corrupt calibration tallies in the ${where}: ${text.slice(0, 80)}`);
}
