import type { Statement } from 'better-sqlite3';
import { MINT_ACCOUNT } from '../markets/ledger.ts';
import { maxLiability } from '../markets/market.ts';
import type { Db } from './open.ts';
import { marketRow, parseRow } from './rows.ts';
import { holdsScores, ScoreStore } from './score-store.ts';
import { ScoringStore } from './scoring-store.ts';
import { SqliteStore } from './sqlite-store.ts';

const statements = new WeakMap<Db, Map<string, Statement>>();

/**
 * The connection's statement for `sql`, prepared on first use: tests verify after every step of thousands of random
 * histories, and preparing a dozen statements each time cost more than running them on a small ledger.
 */
function prepared<P extends unknown[] = unknown[], R = unknown>(db: Db, sql: string): Statement<P, R> {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement as Statement<P, R>;
}

export interface VerifyReport {
  ok: boolean;
  /** Credits in circulation according to the ledger: minted minus returned to the mint. */
  minted: number;
  accounts: number;
  entries: number;
  /** Per realm: what its accounts hold and what the ledger brought into it (from the mint, or moved in by the migration). */
  realms: RealmBooks[];
  problems: string[];
}

export interface RealmBooks {
  realm: string;
  held: number;
  minted: number;
}

const MAX_LISTED_PROBLEMS = 50;

/** One per connection: tests verify after every step, and preparing the stores' statements each time would dominate. */
const scoreStores = new WeakMap<Db, ScoreStore>();

function scoreStoreOf(db: Db): ScoreStore {
  let scores = scoreStores.get(db);
  if (!scores) scoreStores.set(db, (scores = new ScoreStore(db, new ScoringStore(new SqliteStore(db)))));
  return scores;
}

/**
 * Rebuilds every balance and position from the ledger alone and compares them with what is stored, then
 * checks the invariants money must keep: the books balance, only the mint is ever below zero, every
 * live market can pay its largest outcome, and a settled market holds nothing. Last (unless `scores` is false), the
 * stored scores must equal scoring every resolved market's forecasts again.
 */
export function verify(db: Db, { scores = true }: { scores?: boolean } = {}): VerifyReport {
  // One read transaction, so every query sees the same snapshot even while another process is trading.
  return db.transaction(() => verifySnapshot(db, scores))();
}

function verifySnapshot(db: Db, checkScores: boolean): VerifyReport {
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
  };

  // Credits and debits are summed per account before anything is joined: one sort of the ledger per side, instead of
  // joining every ledger row to its account.
  const balanceRows = prepared<[], { id: string; known: number; stored: number | null; rebuilt: number }>(
    db,
      `WITH credits AS (SELECT to_account AS id, SUM(amount) AS amount FROM ledger GROUP BY to_account),
         debits AS (SELECT from_account AS id, SUM(amount) AS amount FROM ledger GROUP BY from_account),
         named AS (SELECT id FROM credits UNION SELECT id FROM debits)
       SELECT a.id, 1 AS known, a.balance AS stored, COALESCE(c.amount, 0) - COALESCE(d.amount, 0) AS rebuilt
       FROM accounts a LEFT JOIN credits c ON c.id = a.id LEFT JOIN debits d ON d.id = a.id
       WHERE stored <> rebuilt
       UNION ALL
       SELECT id, 0, NULL, 0 FROM named WHERE id NOT IN (SELECT id FROM accounts)`,
    )
    .all();
  for (const row of balanceRows) {
    report(
      row.known
        ? `account ${row.id}: stored balance ${row.stored} but the ledger gives ${row.rebuilt}`
        : `the ledger names account ${row.id}, which does not exist`,
    );
  }

  const totals = prepared<[string, string], { circulating: number; minted: number; negatives: number; accounts: number }>(
    db,
      `SELECT
         (SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE id <> ?) AS circulating,
         (SELECT COALESCE(SUM(CASE WHEN from_account = 'mint' THEN amount WHEN to_account = 'mint' THEN -amount ELSE 0 END), 0) FROM ledger) AS minted,
         (SELECT COUNT(*) FROM accounts WHERE id <> ? AND balance < 0) AS negatives,
         (SELECT COUNT(*) FROM accounts) AS accounts`,
    )
    .get(MINT_ACCOUNT, MINT_ACCOUNT) ?? { circulating: 0, minted: 0, negatives: 0, accounts: 0 };
  if (totals.circulating !== totals.minted) {
    report(`accounts hold ${totals.circulating} in all but the ledger minted ${totals.minted}`);
  }
  if (totals.negatives > 0) report(`${totals.negatives} account(s) other than the mint are below zero`);

  // Every position the ledger rebuilds is looked up among the stored ones by key. A stored position the ledger knows
  // nothing of would need the reverse lookup, which the ledger has no index for; instead the nonzero positions are
  // counted on both sides (the row without a holder), and only if the counts differ are the strays looked for.
  const positionRows = prepared<[], { market_id: string | null; user_id: string | null; outcome: number | null; stored: number; rebuilt: number }>(
    db,
      `WITH rebuilt AS MATERIALIZED (
         SELECT market_id, holder AS user_id, outcome, SUM(shares) AS shares FROM ledger
         WHERE shares IS NOT NULL GROUP BY market_id, holder, outcome)
       SELECT r.market_id, r.user_id, r.outcome, COALESCE(p.shares, 0) AS stored, r.shares AS rebuilt
       FROM rebuilt r LEFT JOIN positions p ON p.market_id = r.market_id AND p.user_id = r.user_id AND p.outcome = r.outcome
       WHERE COALESCE(p.shares, 0) <> r.shares
       UNION ALL
       SELECT NULL, NULL, NULL, (SELECT COUNT(*) FROM positions WHERE shares <> 0), (SELECT COUNT(*) FROM rebuilt WHERE shares <> 0)`,
    )
    .all();
  // A trade always names its holder, so only the counts row has none.
  const counts = positionRows.find((row) => row.user_id === null);
  const mismatches = positionRows.filter((row) => row.user_id !== null);
  for (const row of mismatches) {
    report(`position ${row.market_id}/${row.user_id}/#${row.outcome}: stored ${row.stored} but the ledger gives ${row.rebuilt}`);
  }
  if (mismatches.length === 0 && counts !== undefined && counts.stored !== counts.rebuilt) {
    const strays = prepared<[], { market_id: string; user_id: string; outcome: number; shares: number }>(
    db,
        `SELECT market_id, user_id, outcome, shares FROM positions p WHERE shares <> 0 AND NOT EXISTS (
           SELECT 1 FROM ledger l WHERE l.market_id = p.market_id AND l.holder = p.user_id AND l.outcome = p.outcome)`,
      )
      .all();
    for (const row of strays) report(`position ${row.market_id}/${row.user_id}/#${row.outcome}: stored ${row.shares} but the ledger gives 0`);
  }

  const holdings = prepared<[], { market_id: string; outcome: number; shares: number }>(
    db,
      'SELECT market_id, outcome, SUM(shares) AS shares FROM ledger WHERE shares IS NOT NULL GROUP BY market_id, outcome',
    )
    .all();
  const heldByOutcome = new Map(holdings.map((h) => [`${h.market_id}\u0000${h.outcome}`, h.shares]));
  const marketRows = prepared(db, `SELECT m.*, a.balance AS pool FROM markets m JOIN accounts a ON a.id = 'market:' || m.id`).all();
  for (const raw of marketRows) {
    let market;
    try {
      market = parseRow(marketRow, 'markets', raw);
    } catch (error) {
      report(error instanceof Error ? error.message : String(error));
      continue;
    }
    market.outstanding.forEach((stored, outcome) => {
      const rebuilt = heldByOutcome.get(`${market.id}\u0000${outcome}`) ?? 0;
      if (stored !== rebuilt) report(`market ${market.id} outcome #${outcome}: ${stored} shares outstanding but the ledger gives ${rebuilt}`);
    });
    const settled = market.status === 'resolved' || market.status === 'cancelled';
    if (settled && market.pool !== 0) report(`market ${market.id} is ${market.status} but still holds ${market.pool}`);
    if (!settled && market.pool < maxLiability(market.outstanding)) {
      report(`market ${market.id} holds ${market.pool} but could owe ${maxLiability(market.outstanding)}`);
    }
  }

  // Rows a check above found corrupt may stop the recomputation; that is one more problem, not a crash.
  try {
    if (checkScores && holdsScores(db)) scoreStoreOf(db).verifyStoredScores(report);
  } catch (error) {
    report(`the stored scores could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }

  const realms = realmBooks(db, report);

  const entries = prepared<[], { n: number }>(db, 'SELECT COUNT(*) AS n FROM ledger').get()?.n ?? 0;
  return { ok: problems.length === 0, minted: totals.minted, accounts: totals.accounts, entries, realms, problems };
}

/**
 * Each realm's books close on their own: its accounts hold exactly what the mint put into the realm less what went
 * back to it (plus, before and at the move into realms, what members' single old accounts paid in or took out). A
 * row between accounts of two realms moves credits across them: it is reported, and it unbalances both realms.
 */
function realmBooks(db: Db, report: (problem: string) => void): RealmBooks[] {
  const crossings = prepared<[], { id: number; from_realm: string | null; to_realm: string | null; reason: string }>(
    db,
      `SELECT l.id, f.realm AS from_realm, t.realm AS to_realm, l.reason FROM ledger l
       JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
       WHERE f.realm IS NOT t.realm AND f.kind <> 'mint' AND t.kind <> 'mint'
         -- History from before realms, when a member's one account traded in every server.
         AND NOT (l.id < (SELECT first_ledger_id FROM realms_began) AND (f.realm IS NULL OR t.realm IS NULL))
         -- The move of each such account's balance into the member's home realm.
         AND NOT (l.reason = 'migrate' AND f.realm IS NULL AND f.kind = 'user' AND t.kind = 'user' AND f.user_id = t.user_id)
       LIMIT ${MAX_LISTED_PROBLEMS}`,
    )
    .all();
  for (const row of crossings) {
    report(`ledger entry ${row.id} (${row.reason}) moves credits from realm ${row.from_realm ?? '(none)'} to realm ${row.to_realm ?? '(none)'}`);
  }
  const rows = prepared<[], RealmBooks>(
    db,
      // Only what came from outside every realm counts: the mint, and members' accounts from before realms.
      `WITH inflows AS (
         SELECT t.realm AS realm, l.amount AS amount FROM ledger l
         JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
         WHERE t.realm IS NOT NULL AND f.realm IS NULL
         UNION ALL
         SELECT f.realm, -l.amount FROM ledger l
         JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
         WHERE f.realm IS NOT NULL AND t.realm IS NULL),
       held AS (SELECT realm, SUM(balance) AS held FROM accounts WHERE realm IS NOT NULL GROUP BY realm),
       minted AS (SELECT realm, SUM(amount) AS minted FROM inflows GROUP BY realm)
       SELECT h.realm, h.held, COALESCE(m.minted, 0) AS minted FROM held h LEFT JOIN minted m ON m.realm = h.realm
       UNION ALL
       SELECT m.realm, 0, m.minted FROM minted m WHERE m.realm NOT IN (SELECT realm FROM held)
       ORDER BY 1`,
    )
    .all();
  for (const row of rows) {
    if (row.held !== row.minted) report(`realm ${row.realm}: its accounts hold ${row.held} but the ledger brought ${row.minted} into it`);
  }
  const stranded = prepared<[], { n: number }>(db, "SELECT COUNT(*) AS n FROM accounts WHERE kind <> 'mint' AND realm IS NULL AND balance <> 0")
    .get()?.n ?? 0;
  if (stranded > 0) report(`${stranded} account(s) from before realms still hold credits`);
  return rows;
}
