import { MINT_ACCOUNT } from '../markets/ledger.ts';
import { maxLiability } from '../markets/market.ts';
import type { Db } from './open.ts';
import { marketRow, parseRow } from './rows.ts';

export interface VerifyReport {
  ok: boolean;
  /** Credits in circulation according to the ledger: minted minus returned to the mint. */
  minted: number;
  accounts: number;
  entries: number;
  problems: string[];
}

const MAX_LISTED_PROBLEMS = 50;

/**
 * Rebuilds every balance and position from the ledger alone and compares them with what is stored, then
 * checks the invariants money must keep: the books balance, only the mint is ever below zero, every
 * live market can pay its largest outcome, and a settled market holds nothing.
 */
export function verify(db: Db): VerifyReport {
  // One read transaction, so every query sees the same snapshot even while another process is trading.
  return db.transaction(() => verifySnapshot(db))();
}

function verifySnapshot(db: Db): VerifyReport {
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
  };

  const balanceMismatches = db
    .prepare<[], { id: string; stored: number; rebuilt: number }>(
      `WITH moves AS (
         SELECT to_account AS id, amount AS delta FROM ledger
         UNION ALL SELECT from_account, -amount FROM ledger)
       SELECT a.id, a.balance AS stored, COALESCE(SUM(m.delta), 0) AS rebuilt
       FROM accounts a LEFT JOIN moves m ON m.id = a.id
       GROUP BY a.id HAVING stored <> rebuilt`,
    )
    .all();
  for (const row of balanceMismatches) {
    report(`account ${row.id}: stored balance ${row.stored} but the ledger gives ${row.rebuilt}`);
  }

  const strays = db
    .prepare<[], { id: number }>(
      `SELECT id FROM ledger WHERE from_account NOT IN (SELECT id FROM accounts) OR to_account NOT IN (SELECT id FROM accounts)`,
    )
    .all();
  for (const row of strays) report(`ledger entry ${row.id} names an account that does not exist`);

  const totals = db
    .prepare<[string, string], { circulating: number; minted: number; negatives: number; accounts: number }>(
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

  const positionMismatches = db
    .prepare<[], { market_id: string; user_id: string; outcome: number; stored: number; rebuilt: number }>(
      `WITH rebuilt AS (
         SELECT market_id, holder AS user_id, outcome, SUM(shares) AS shares FROM ledger
         WHERE shares IS NOT NULL GROUP BY market_id, holder, outcome),
       keys AS (
         SELECT market_id, user_id, outcome FROM rebuilt UNION SELECT market_id, user_id, outcome FROM positions)
       SELECT k.market_id, k.user_id, k.outcome, COALESCE(p.shares, 0) AS stored, COALESCE(r.shares, 0) AS rebuilt
       FROM keys k
       LEFT JOIN positions p USING (market_id, user_id, outcome)
       LEFT JOIN rebuilt r USING (market_id, user_id, outcome)
       WHERE COALESCE(p.shares, 0) <> COALESCE(r.shares, 0)`,
    )
    .all();
  for (const row of positionMismatches) {
    report(`position ${row.market_id}/${row.user_id}/#${row.outcome}: stored ${row.stored} but the ledger gives ${row.rebuilt}`);
  }

  const holdings = db
    .prepare<[], { market_id: string; outcome: number; shares: number }>(
      'SELECT market_id, outcome, SUM(shares) AS shares FROM ledger WHERE shares IS NOT NULL GROUP BY market_id, outcome',
    )
    .all();
  const heldByOutcome = new Map(holdings.map((h) => [`${h.market_id}\u0000${h.outcome}`, h.shares]));
  const marketRows = db.prepare(`SELECT m.*, a.balance AS pool FROM markets m JOIN accounts a ON a.id = 'market:' || m.id`).all();
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

  const entries = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM ledger').get()?.n ?? 0;
  return { ok: problems.length === 0, minted: totals.minted, accounts: totals.accounts, entries, problems };
}
