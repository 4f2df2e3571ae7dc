import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { bet } from '../../bot/commands/bet.ts';
import { SCORE_BOARDS } from '../../markets/forecasts.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { T0 } from '../support/engine.ts';
import { driveConsole, testApp, type TestApp } from '../support/app.ts';

/**
 * The tables that grow with a server's age (its markets, members and history). A reply that scans one of them whole
 * costs more every day: every interactive read must reach them through an index (a SEARCH), never a SCAN of the table.
 */
const HISTORY = ['markets', 'accounts', 'ledger', 'forecasts', 'member_market_scores', 'requests', 'interaction_requests', 'outbox', 'positions', 'settlements', 'evidence'];
const SCAN = /^SCAN (\w+)(?! USING (COVERING )?INDEX)/;
const NOT_ALIASES = new Set(['where', 'on', 'join', 'left', 'inner', 'cross', 'group', 'order', 'limit', 'using', 'union', 'natural', 'as', 'set', 'values']);

/** The table each name in the SQL stands for: plans name a table by its alias where it has one. */
function tablesByName(sql: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const match of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const [, table, alias] = match;
    if (table === undefined) continue;
    names.set(table, table);
    if (alias !== undefined && !NOT_ALIASES.has(alias.toLowerCase())) names.set(alias, table);
  }
  return names;
}

let harness: TestApp | undefined;
afterEach(() => {
  harness?.db.close();
  harness = undefined;
});

type StatementMethods = Record<'get' | 'all' | 'run' | 'iterate', (...args: unknown[]) => unknown>;

/** Every SQL text the statements of this process run while `work` runs. */
async function statementsRunBy(db: Database.Database, work: () => Promise<unknown>): Promise<Set<string>> {
  const prototype = Object.getPrototypeOf(db.prepare('SELECT 1')) as StatementMethods;
  const originals = { get: prototype.get, all: prototype.all, run: prototype.run, iterate: prototype.iterate };
  const seen = new Set<string>();
  for (const name of Object.keys(originals) as (keyof StatementMethods)[]) {
    const original = originals[name];
    prototype[name] = function (this: Database.Statement, ...args: unknown[]) {
      seen.add(this.source);
      return original.apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    Object.assign(prototype, originals);
  }
  return seen;
}

function fullScans(db: Database.Database, sql: string): string[] {
  if (!/^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)/i.test(sql)) return [];
  // The plan does not depend on the values: every parameter is bound to null.
  const named = Object.fromEntries([...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((match) => [match[1], null]));
  const positional = Array.from({ length: (sql.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length }, () => null);
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const plan = (Object.keys(named).length > 0 ? explain.all(named) : explain.all(...positional)) as { detail: string }[];
  const tables = tablesByName(sql);
  return plan
    .map((row) => row.detail)
    .filter((detail) => {
      const scanned = SCAN.exec(detail)?.[1];
      return scanned !== undefined && HISTORY.includes(tables.get(scanned) ?? scanned);
    });
}

it('every interactive command reaches the history tables through indexes only, never a full scan', async () => {
  const h = (harness = testApp());
  const market = 'replication-published-2027';
  const other = 'rome-power-seeking';
  // A history to read: two markets, trades and stated forecasts by three members, one market settled and scored.
  await driveConsole(h, [
    '/as mod --moderator',
    `/market open question:Will a replication be published by 2027? criteria:YES if a second team reports it. closes:2027-12-31`,
    `/market open question:Did ROME seek power? criteria:YES if the logs show it. closes:2027-12-31`,
    ...['ana', 'ben', 'cy'].flatMap((who, i) => [
      `/as ${who}`,
      `/bet market:${market} outcome:${i % 2 === 0 ? 'Yes' : 'No'} amount:${20 + i}`,
      `/bet market:${other} outcome:Yes amount:${5 + i}`,
      `/forecast market:${other} probability:${30 + 10 * i}`,
    ]),
    '/as mod --moderator',
    `/mod resolve market:${other} outcome:Yes evidence:https://example.org/logs`,
  ]);

  const interactive = [
    '/as ana',
    `/market show market:${market}`,
    '/market list',
    `/bet market:${market} outcome:Yes amount:3`,
    `/sell market:${market} outcome:Yes shares:1`,
    '/portfolio',
    '/leaderboard',
    ...SCORE_BOARDS.map((board) => `/leaderboard by:${board}`),
    '/calibration format:csv',
  ];
  const ran = await statementsRunBy(h.db, async () => {
    const out = await driveConsole(h, interactive);
    expect(out).not.toMatch(/went wrong/i);
    const invocation = { realm: 'console', command: 'bet', subcommand: null, options: {}, actor: { userId: 'ana', isModerator: false }, guildId: null, channelId: null, requestId: 'autocomplete', now: T0 };
    const typed = [
      bet.autocomplete?.(invocation, { name: 'market', value: 'repl' }, h.app),
    ];
    expect(typed[0]?.map((choice) => choice.value)).toContain(market);
    // A big move's reason, as its button's form gives it: the trade is found by the request that made it.
    const ana = { userId: 'ana', isModerator: false };
    const move = { realm: 'console', actor: ana, now: T0, requestId: '1300000000000000001' };
    expect(h.app.service.buy({ marketId: market, outcome: 'Yes', amount: creditsToMillis(500) }, move).ok).toBe(true);
    const explained = h.app.notifications.explainMove(market, move.requestId, 'The lab confirmed it', { ...move, requestId: '1300000000000000002' });
    expect(explained.ok).toBe(true);
  });

  // The instrument sees what ran: the trade's ledger insert and the leaderboard's stored totals at least.
  expect([...ran].some((sql) => /INSERT INTO ledger/.test(sql))).toBe(true);
  expect([...ran].some((sql) => /member_score_totals/.test(sql))).toBe(true);
  const scans = [...ran].flatMap((sql) => fullScans(h.db, sql).map((detail) => `${detail}  ←  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`));
  expect(scans).toEqual([]);
});

it('the check finds a full scan when there is one', () => {
  const h = (harness = testApp());
  expect(fullScans(h.db, 'SELECT SUM(amount) FROM ledger WHERE reason = ?')).toEqual([expect.stringMatching(/^SCAN ledger/)]);
  expect(fullScans(h.db, 'SELECT COUNT(*) FROM accounts a JOIN ledger l ON l.to_account = a.id WHERE a.kind = ?')).toEqual([expect.stringMatching(/^SCAN l/)]);
  expect(fullScans(h.db, 'SELECT * FROM ledger WHERE market_id = ?')).toEqual([]);
});
