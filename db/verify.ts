import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import { MINT_ACCOUNT } from '../markets/ledger.ts';
import { maxLiability } from '../markets/market.ts';
import { type LedgerSummary, EMPTY_SUMMARY, readCheckpoint } from './checkpoint.ts';
import type { Db } from './open.ts';
import { json, parseRow } from './rows.ts';
import { holdsScores, ScoreStore } from './score-store.ts';
import { ScoringStore } from './scoring-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { errorMessage } from '../markets/errors.ts';

export interface VerifyReport {
  ok: boolean;
  /** Credits in circulation according to the ledger: minted minus returned to the mint. */
  minted: number;
  accounts: number;
  /** Ledger rows read: every row for the full rebuild, the rows after the checkpoint for `verifySinceCheckpoint`. */
  entries: number;
  /** Per realm: what its accounts hold and what the ledger brought into it (from the mint, or moved in by the migration). */
  realms: RealmBooks[];
  problems: string[];
  /** What the ledger gives as of its last row, to keep as the next checkpoint once `ok`. */
  summary: LedgerSummary;
}

export interface RealmBooks {
  realm: string;
  held: number;
  minted: number;
}

const MAX_LISTED_PROBLEMS = 50;

type Report = (problem: string) => void;

const statements = new WeakMap<Db, Map<string, Statement>>();

/** `db.prepare`, once per connection and text: compiling these statements costs more than running them on a young ledger. */
function prepare<P extends unknown[] | object = unknown[], R = unknown>(db: Db, sql: string): Statement<P extends unknown[] ? P : [P], R> {
  let known = statements.get(db);
  if (known === undefined) statements.set(db, (known = new Map()));
  let statement = known.get(sql);
  if (statement === undefined) known.set(sql, (statement = db.prepare(sql)));
  return statement as Statement<P extends unknown[] ? P : [P], R>;
}

/** One per connection: tests verify after every step, and preparing the stores' statements each time would dominate. */
const scoreStores = new WeakMap<Db, ScoreStore>();

function scoreStoreOf(db: Db): ScoreStore {
  let scores = scoreStores.get(db);
  if (!scores) scoreStores.set(db, (scores = new ScoreStore(db, new ScoringStore(new SqliteStore(db)))));
  return scores;
}

/**
 * Rebuilds every balance and position from the whole ledger and compares them with what is stored, then checks the
 * invariants money must keep: the books balance (in all and per realm), only the mint is ever below zero, every live
 * market can pay its largest outcome, and a settled market holds nothing. The checkpoint, if any, must equal what the
 * rows up to it give. Last (unless `scores` is false), the stored scores must equal scoring every resolved market's
 * forecasts again.
 */
export function verify(db: Db, { scores = true }: { scores?: boolean } = {}): VerifyReport {
  // One read transaction, so every query sees the same snapshot even while another process is trading.
  return db.transaction(() => {
    const { problems, report } = problemList();
    const last = lastLedgerId(db);
    const checkpoint = readCheckpoint(db, last);
    let summary = EMPTY_SUMMARY;
    if (checkpoint.ok) {
      summary = fold(db, EMPTY_SUMMARY, checkpoint.summary.ledgerId, report);
      checkSummariesAgree(checkpoint.summary, summary, report);
    } else {
      report(checkpoint.problem);
    }
    summary = fold(db, summary, last, report);
    checkPositions(db, report);
    checkStoredTallies(db, report);
    // Rows a check above found corrupt may stop the recomputation; that is one more problem, not a crash.
    try {
      if (scores && holdsScores(db)) scoreStoreOf(db).verifyStoredScores(report);
    } catch (error) {
      report(`the stored scores could not be checked: ${errorMessage(error)}`);
    }
    const entries = prepare<[], { n: number }>(db, 'SELECT COUNT(*) AS n FROM ledger').get()?.n ?? 0;
    return compareWithStore(db, summary, entries, problems, report);
  })();
}

/**
 * What start-up runs: the checkpoint plus the ledger rows after it must give every stored balance, every market's
 * outstanding shares and each realm's books, so the cost is the rows since the checkpoint (and one read of the
 * accounts and markets), not the ledger's age. A checkpoint that fails its checksum or names rows the ledger does not
 * have is a problem like any other. It is a read transaction, so other processes go on trading meanwhile; the
 * report's summary is what the rows up to its `ledgerId` give, whatever was committed since, so keeping it as the
 * next checkpoint (`saveCheckpoint`) is right at any later moment.
 */
export function verifySinceCheckpoint(db: Db): VerifyReport {
  return db.transaction(() => {
    const { problems, report } = problemList();
    const last = lastLedgerId(db);
    const checkpoint = readCheckpoint(db, last);
    if (!checkpoint.ok) report(checkpoint.problem);
    const base = checkpoint.ok ? checkpoint.summary : EMPTY_SUMMARY;
    const summary = fold(db, base, last, report);
    return compareWithStore(db, summary, last - base.ledgerId, problems, report);
  })();
}

function problemList(): { problems: string[]; report: Report } {
  const problems: string[] = [];
  return {
    problems,
    report: (problem) => {
      if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
    },
  };
}

function lastLedgerId(db: Db): number {
  return prepare<[], { id: number | null }>(db, 'SELECT MAX(id) AS id FROM ledger').get()?.id ?? 0;
}

/**
 * `base` moved on by the ledger rows after it up to `upTo`: each account's balance, each market's outstanding shares
 * and each realm's inflow. Rows in the range that move credits across realms are reported.
 */
function fold(db: Db, base: LedgerSummary, upTo: number, report: Report): LedgerSummary {
  const range = { after: base.ledgerId, upTo };
  const balances = new Map(base.balances);
  // Credits and debits are summed per account apart: one sort of the rows per side, instead of one of both.
  const sides = [
    ['to_account', 1],
    ['from_account', -1],
  ] as const;
  for (const [column, sign] of sides) {
    const rows = prepare<typeof range, { id: string; amount: number }>(
        db,
        `SELECT ${column} AS id, SUM(amount) AS amount FROM ledger WHERE id > @after AND id <= @upTo GROUP BY ${column}`,
      )
      .all(range);
    for (const row of rows) balances.set(row.id, (balances.get(row.id) ?? 0) + sign * row.amount);
  }

  const outstanding = new Map([...base.outstanding].map(([market, shares]) => [market, [...shares]]));
  const held = prepare<typeof range, { market_id: string; outcome: number; shares: number }>(
      db,
      `SELECT market_id, outcome, SUM(shares) AS shares FROM ledger
       WHERE id > @after AND id <= @upTo AND shares IS NOT NULL GROUP BY market_id, outcome`,
    )
    .all(range);
  for (const row of held) {
    const shares = outstanding.get(row.market_id) ?? [];
    while (shares.length <= row.outcome) shares.push(0);
    shares[row.outcome] = (shares[row.outcome] ?? 0) + row.shares;
    outstanding.set(row.market_id, shares);
  }

  const crossings = prepare<typeof range, { id: number; from_realm: string | null; to_realm: string | null; reason: string }>(
      db,
      `SELECT l.id, f.realm AS from_realm, t.realm AS to_realm, l.reason FROM ledger l
       JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
       WHERE l.id > @after AND l.id <= @upTo AND f.realm IS NOT t.realm AND f.kind <> 'mint' AND t.kind <> 'mint'
         -- History from before realms, when a member's one account traded in every server.
         AND NOT (l.id < (SELECT first_ledger_id FROM realms_began) AND (f.realm IS NULL OR t.realm IS NULL))
         -- The move of each such account's balance into the member's home realm.
         AND NOT (l.reason = 'migrate' AND f.realm IS NULL AND f.kind = 'user' AND t.kind = 'user' AND f.user_id = t.user_id)
       LIMIT ${MAX_LISTED_PROBLEMS}`,
    )
    .all(range);
  for (const row of crossings) {
    report(`ledger entry ${row.id} (${row.reason}) moves credits from realm ${row.from_realm ?? '(none)'} to realm ${row.to_realm ?? '(none)'}`);
  }

  // What each realm's accounts received from outside every realm (the mint, and members' accounts from before realms),
  // less what went back there.
  const inflows = new Map(base.inflows);
  const flows = prepare<typeof range, { realm: string; amount: number }>(
      db,
      `SELECT realm, SUM(amount) AS amount FROM (
         SELECT t.realm AS realm, l.amount AS amount FROM ledger l
         JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
         WHERE l.id > @after AND l.id <= @upTo AND t.realm IS NOT NULL AND f.realm IS NULL
         UNION ALL
         SELECT f.realm, -l.amount FROM ledger l
         JOIN accounts f ON f.id = l.from_account JOIN accounts t ON t.id = l.to_account
         WHERE l.id > @after AND l.id <= @upTo AND f.realm IS NOT NULL AND t.realm IS NULL)
       GROUP BY realm`,
    )
    .all(range);
  for (const row of flows) inflows.set(row.realm, (inflows.get(row.realm) ?? 0) + row.amount);

  return { ledgerId: upTo, balances, outstanding, inflows };
}

/** The stored checkpoint against the same rows folded afresh: any difference means it does not summarise them. */
function checkSummariesAgree(stored: LedgerSummary, rebuilt: LedgerSummary, report: Report): void {
  const differs = (kind: string, a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>) => {
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if (JSON.stringify(a.get(key) ?? null) !== JSON.stringify(b.get(key) ?? null)) {
        report(`the checkpoint at ledger entry ${stored.ledgerId} gives ${kind} ${key} ${JSON.stringify(a.get(key) ?? 0)} but the ledger gives ${JSON.stringify(b.get(key) ?? 0)}`);
      }
    }
  };
  differs('account', withoutZeros(stored.balances), withoutZeros(rebuilt.balances));
  differs('market', stored.outstanding, rebuilt.outstanding);
  differs('realm', withoutZeros(stored.inflows), withoutZeros(rebuilt.inflows));
}

function withoutZeros(values: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...values].filter(([, value]) => value !== 0));
}

const accountBooksRow = z.object({ id: z.string(), kind: z.string(), realm: z.string().nullable(), balance: z.number().int() });
const marketBooksRow = z.object({
  id: z.string(),
  status: z.enum(['open', 'closed', 'resolved', 'cancelled']),
  outstanding: json(z.array(z.number().int().nonnegative())),
  pool: z.number().int(),
});

/** The stored balances, outstanding shares and realm holdings against what the ledger gives, and money's invariants. */
function compareWithStore(db: Db, summary: LedgerSummary, entries: number, problems: string[], report: Report): VerifyReport {
  const accounts = prepare(db, 'SELECT id, kind, realm, balance FROM accounts').all().map((row) => parseRow(accountBooksRow, 'accounts', row));
  const known = new Set<string>();
  let circulating = 0;
  let negatives = 0;
  let stranded = 0;
  const heldByRealm = new Map<string, number>();
  for (const account of accounts) {
    known.add(account.id);
    const rebuilt = summary.balances.get(account.id) ?? 0;
    if (account.balance !== rebuilt) report(`account ${account.id}: stored balance ${account.balance} but the ledger gives ${rebuilt}`);
    if (account.id === MINT_ACCOUNT) continue;
    circulating += account.balance;
    if (account.balance < 0) negatives += 1;
    if (account.realm === null && account.kind !== 'mint' && account.balance !== 0) stranded += 1;
    if (account.realm !== null) heldByRealm.set(account.realm, (heldByRealm.get(account.realm) ?? 0) + account.balance);
  }
  for (const [id, balance] of summary.balances) {
    if (!known.has(id)) report(`the ledger names account ${id}, which does not exist${balance === 0 ? '' : ` (it gives it ${balance})`}`);
  }
  const minted = -(summary.balances.get(MINT_ACCOUNT) ?? 0);
  if (circulating !== minted) report(`accounts hold ${circulating} in all but the ledger minted ${minted}`);
  if (negatives > 0) report(`${negatives} account(s) other than the mint are below zero`);

  const marketIds = new Set<string>();
  for (const raw of prepare(db, `SELECT m.id, m.status, a.outstanding, a.balance AS pool FROM markets m JOIN accounts a ON a.id = 'market:' || m.id`).all()) {
    let market;
    try {
      market = parseRow(marketBooksRow, 'markets', raw);
    } catch (error) {
      report(errorMessage(error));
      continue;
    }
    marketIds.add(market.id);
    const rebuilt = summary.outstanding.get(market.id) ?? [];
    market.outstanding.forEach((stored, outcome) => {
      if (stored !== (rebuilt[outcome] ?? 0)) report(`market ${market.id} outcome #${outcome}: ${stored} shares outstanding but the ledger gives ${rebuilt[outcome] ?? 0}`);
    });
    const settled = market.status === 'resolved' || market.status === 'cancelled';
    if (settled && market.pool !== 0) report(`market ${market.id} is ${market.status} but still holds ${market.pool}`);
    if (!settled && market.pool < maxLiability(market.outstanding)) {
      report(`market ${market.id} holds ${market.pool} but could owe ${maxLiability(market.outstanding)}`);
    }
  }
  for (const id of summary.outstanding.keys()) if (!marketIds.has(id)) report(`the ledger names market ${id}, which does not exist`);

  const realms = [...new Set([...heldByRealm.keys(), ...summary.inflows.keys()])].sort().map((realm) => ({
    realm,
    held: heldByRealm.get(realm) ?? 0,
    minted: summary.inflows.get(realm) ?? 0,
  }));
  for (const row of realms) {
    if (row.held !== row.minted) report(`realm ${row.realm}: its accounts hold ${row.held} but the ledger brought ${row.minted} into it`);
  }
  if (stranded > 0) report(`${stranded} account(s) from before realms still hold credits`);

  return { ok: problems.length === 0, minted, accounts: accounts.length, entries, realms, problems, summary };
}

/**
 * Every position the ledger rebuilds is looked up among the stored ones by key. A stored position the ledger knows
 * nothing of would need the reverse lookup, which the ledger has no index for; instead the nonzero positions are
 * counted on both sides (the row without a holder), and only if the counts differ are the strays looked for.
 */
function checkPositions(db: Db, report: Report): void {
  const positionRows = prepare<[], { market_id: string | null; user_id: string | null; outcome: number | null; stored: number; rebuilt: number }>(
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
    const strays = prepare<[], { market_id: string; user_id: string; outcome: number; shares: number }>(
        db,
        `SELECT market_id, user_id, outcome, shares FROM positions p WHERE shares <> 0 AND NOT EXISTS (
           SELECT 1 FROM ledger l WHERE l.market_id = p.market_id AND l.holder = p.user_id AND l.outcome = p.outcome)`,
      )
      .all();
    for (const row of strays) report(`position ${row.market_id}/${row.user_id}/#${row.outcome}: stored ${row.shares} but the ledger gives 0`);
  }
}

/** The tallies kept beside the ledger for bounded reads (a market's volume and traders, an account's off-market net). */
function checkStoredTallies(db: Db, report: Report): void {
  const markets = prepare<[], { id: string; volume: number | null; traders: number | null; rebuilt_volume: number; rebuilt_traders: number }>(
      db,
      `SELECT m.id, a.volume, a.traders, COALESCE(t.volume, 0) AS rebuilt_volume, COALESCE(t.traders, 0) AS rebuilt_traders
       FROM markets m JOIN accounts a ON a.id = 'market:' || m.id LEFT JOIN (
         SELECT market_id, SUM(amount) AS volume, COUNT(DISTINCT holder) AS traders FROM ledger
         WHERE reason IN ('buy', 'sell') GROUP BY market_id) t ON t.market_id = m.id
       WHERE a.volume IS NOT COALESCE(t.volume, 0) OR a.traders IS NOT COALESCE(t.traders, 0)`,
    )
    .all();
  for (const row of markets) {
    report(`market ${row.id}: stored volume ${row.volume} and ${row.traders} traders but the ledger gives ${row.rebuilt_volume} and ${row.rebuilt_traders}`);
  }
  const accounts = prepare<[], { id: string; stored: number; rebuilt: number }>(
      db,
      `SELECT a.id, a.off_market_net AS stored, COALESCE(o.net, 0) AS rebuilt FROM accounts a LEFT JOIN (
         SELECT account, SUM(delta) AS net FROM (
           SELECT to_account AS account, amount AS delta FROM ledger WHERE market_id IS NULL
           UNION ALL
           SELECT from_account, -amount FROM ledger WHERE market_id IS NULL)
         GROUP BY account) o ON o.account = a.id
       WHERE a.off_market_net <> COALESCE(o.net, 0)`,
    )
    .all();
  for (const row of accounts) report(`account ${row.id}: stored off-market net ${row.stored} but the ledger gives ${row.rebuilt}`);
}
