import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { verify } from '../../db/verify.ts';
import { databaseAt } from '../support/schema.ts';

const GUILD_A = '111111111111111111';
const GUILD_B = '222222222222222222';

/**
 * A database as the code before realms wrote it (schema 004): one pool of members' money, markets carrying their
 * guild. Alice trades mostly in A and a little in B, Bob only in B, Carol never trades, Dave only in the console.
 */
function databaseBeforeRealms(): Database.Database {
  const db = databaseAt(4);
  const account = db.prepare('INSERT INTO accounts (id, kind, display_name, balance, created_at) VALUES (?, ?, ?, 0, 0)');
  const move = db.prepare(
    `INSERT INTO ledger (at, from_account, to_account, amount, reason, market_id, holder, outcome, shares) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const credit = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');
  const transfer = (from: string, to: string, amount: number, reason: string, market: string | null = null, trade?: { holder: string; outcome: number; shares: number }) => {
    move.run(1, from, to, amount, reason, market, trade?.holder ?? null, trade?.outcome ?? null, trade?.shares ?? null);
    credit.run(-amount, from);
    credit.run(amount, to);
    if (trade) {
      db.prepare(
        `INSERT INTO positions (market_id, user_id, outcome, shares) VALUES (?, ?, ?, ?)
         ON CONFLICT (market_id, user_id, outcome) DO UPDATE SET shares = shares + excluded.shares`,
      ).run(market, trade.holder, trade.outcome, trade.shares);
    }
  };
  const market = db.prepare(
    `INSERT INTO markets (id, guild_id, question, criteria, outcomes, liquidity, opening_shares, outstanding, subsidy, status, created_by, created_at, closes_at)
     VALUES (?, ?, ?, 'x', '["Yes","No"]', 100, '[0,0]', ?, 10000, ?, 'mod', 0, 9999999999999)`,
  );
  for (const user of ['alice', 'bob', 'carol', 'dave']) {
    account.run(`user:${user}`, 'user', user);
    transfer('mint', `user:${user}`, 1_000_000, 'grant');
  }
  const markets: [string, string | null, string, string][] = [
    ['a-open', GUILD_A, '[30000,0]', 'open'],
    ['a-resolved', GUILD_A, '[35000,0]', 'resolved'],
    ['b-open', GUILD_B, '[5000,30000]', 'open'],
    ['console-open', null, '[0,20000]', 'open'],
  ];
  for (const [id, guild, outstanding, status] of markets) {
    market.run(id, guild, `Question ${id}?`, outstanding, status);
    account.run(`market:${id}`, 'market', id);
    transfer('mint', `market:${id}`, 10_000, 'subsidy', id);
  }
  transfer('user:alice', 'market:a-open', 25_000, 'buy', 'a-open', { holder: 'alice', outcome: 0, shares: 30_000 });
  transfer('user:alice', 'market:a-resolved', 30_000, 'buy', 'a-resolved', { holder: 'alice', outcome: 0, shares: 35_000 });
  transfer('market:a-resolved', 'user:alice', 35_000, 'payout', 'a-resolved');
  transfer('market:a-resolved', 'mint', 5_000, 'settle', 'a-resolved');
  transfer('user:alice', 'market:b-open', 3_000, 'buy', 'b-open', { holder: 'alice', outcome: 0, shares: 5_000 });
  transfer('user:bob', 'market:b-open', 18_000, 'buy', 'b-open', { holder: 'bob', outcome: 1, shares: 30_000 });
  transfer('user:dave', 'market:console-open', 12_000, 'buy', 'console-open', { holder: 'dave', outcome: 1, shares: 20_000 });
  // a-resolved is settled: its pool is empty, as the old code left it.
  db.prepare("UPDATE markets SET resolved_outcome = 0, resolved_by = 'mod', resolution_evidence = 'e', resolved_at = 2, closed_at = 2 WHERE id = 'a-resolved'").run();
  return db;
}

const balanceOf = (db: Database.Database, id: string) => (db.prepare('SELECT balance FROM accounts WHERE id = ?').get(id) as { balance: number } | undefined)?.balance;

describe('migration 005: from one pool to realms', () => {
  it('moves each balance to its home realm by ledger rows, keeps every position and history row, and verifies', () => {
    const db = databaseBeforeRealms();
    expect(balanceOf(db, 'market:a-resolved')).toBe(0);
    const ledgerBefore = db.prepare('SELECT * FROM ledger ORDER BY id').all();
    const positionsBefore = db.prepare('SELECT * FROM positions ORDER BY market_id, user_id, outcome').all();
    const total = (db.prepare("SELECT SUM(balance) AS n FROM accounts WHERE id <> 'mint'").get() as { n: number }).n;

    migrate(db, { readonly: false });

    // History is untouched; the only new rows are the moves.
    const ledgerAfter = db.prepare('SELECT id, at, from_account, to_account, amount, reason, market_id, holder, outcome, shares, prices_after, request_id FROM ledger ORDER BY id').all();
    expect(ledgerAfter.slice(0, ledgerBefore.length)).toEqual(ledgerBefore);
    const moves = db.prepare("SELECT from_account, to_account, amount FROM ledger WHERE reason = 'migrate' ORDER BY from_account").all();
    expect(moves).toEqual([
      { from_account: 'user:alice', to_account: `user:${GUILD_A}:alice`, amount: 1_000_000 - 25_000 - 30_000 + 35_000 - 3_000 },
      { from_account: 'user:bob', to_account: `user:${GUILD_B}:bob`, amount: 1_000_000 - 18_000 },
      // Carol never traded: the realm with the most markets (A) is her home.
      { from_account: 'user:carol', to_account: `user:${GUILD_A}:carol`, amount: 1_000_000 },
      { from_account: 'user:dave', to_account: 'user:console:dave', amount: 1_000_000 - 12_000 },
    ]);
    expect(db.prepare('SELECT * FROM positions ORDER BY market_id, user_id, outcome').all()).toEqual(positionsBefore);

    // Every old account is empty; Alice also has an (empty) account in B, where she holds shares, with no new grant.
    for (const user of ['alice', 'bob', 'carol', 'dave']) expect(balanceOf(db, `user:${user}`)).toBe(0);
    expect(balanceOf(db, `user:${GUILD_B}:alice`)).toBe(0);
    expect(db.prepare("SELECT COUNT(*) AS n FROM ledger WHERE reason = 'grant'").get()).toEqual({ n: 4 });
    expect((db.prepare("SELECT SUM(balance) AS n FROM accounts WHERE id <> 'mint'").get() as { n: number }).n).toBe(total);

    const report = verify(db);
    expect(report.problems.join("\n")).toBe("");
    expect(report.realms.map(({ realm }) => realm)).toEqual([GUILD_A, GUILD_B, 'console']);
    for (const books of report.realms) expect(books.held).toBe(books.minted);

    // Markets keep their keys and belong to their guild's realm.
    expect(db.prepare('SELECT id, realm, slug FROM markets ORDER BY id').all()).toEqual([
      { id: 'a-open', realm: GUILD_A, slug: 'a-open' },
      { id: 'a-resolved', realm: GUILD_A, slug: 'a-resolved' },
      { id: 'b-open', realm: GUILD_B, slug: 'b-open' },
      { id: 'console-open', realm: 'console', slug: 'console-open' },
    ]);

    // Each realm's leaderboard keeps what members made there before realms.
    const store = new SqliteStore(db);
    expect(store.profits(GUILD_A, 10).map(({ userId, profit }) => [userId, profit])).toEqual([['alice', -25_000 - 30_000 + 35_000]]);
    expect(new Map(store.profits(GUILD_B, 10).map(({ userId, profit }) => [userId, profit]))).toEqual(
      new Map([
        ['alice', -3_000],
        ['bob', -18_000],
      ]),
    );
    // Payouts of B's markets now go to B's account.
    expect(store.findMarketBySlug(GUILD_B, 'b-open')?.id).toBe('b-open');
    expect(store.findMarketBySlug(GUILD_A, 'b-open')).toBeUndefined();
  });

  it('refuses any new ledger row that would name an unknown reason, and still refuses updates and deletes', () => {
    const db = databaseBeforeRealms();
    migrate(db, { readonly: false });
    expect(() => db.prepare("INSERT INTO ledger (at, from_account, to_account, amount, reason) VALUES (0, 'mint', 'user:alice', 1, 'gift')").run()).toThrow(
      'unknown ledger reason',
    );
    expect(() => db.prepare('UPDATE ledger SET amount = 0').run()).toThrow('append-only');
    expect(() => db.prepare('DELETE FROM ledger').run()).toThrow('append-only');
  });
});
