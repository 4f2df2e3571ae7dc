import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import Database from 'better-sqlite3';
import { latestVersion, migrate, migrations } from '../../db/migrate.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { DAY, T0, failure, ok, testEngine, type TestEngine } from '../support/engine.ts';

const question = {
  question: 'Did the ROME agent genuinely show power-seeking?',
  criteria: 'YES if training logs show an unprompted reverse SSH tunnel.',
  closesAt: T0 + 30 * DAY,
};

let engine: TestEngine;
afterEach(() => {
  // The books must balance after every test, whatever it did.
  engine.assertVerified();
  engine.db.close();
});

describe('accounts', () => {
  it('grants the starting credits once and the daily allowance on each new UTC day', () => {
    engine = testEngine({ startingGrant: creditsToMillis(500), dailyAllowance: creditsToMillis(25) });
    const alice = engine.member('alice');
    expect(ok(engine.service.account(alice)).balance).toBe(500_000);
    expect(ok(engine.service.account({ ...alice, now: T0 + 60_000 })).balance).toBe(500_000);
    expect(ok(engine.service.account({ ...alice, now: T0 + DAY })).balance).toBe(525_000);
    expect(ok(engine.service.account({ ...alice, now: T0 + DAY + 1 })).balance).toBe(525_000);
  });
});

describe('a market from open to resolved', () => {
  it('opens at the chosen probability, funded by a subsidy from the mint', () => {
    engine = testEngine();
    const market = ok(engine.service.openMarket({ ...question, id: 'rome', probability: 0.45 }, engine.member('alice')));
    expect(market.status).toBe('open');
    expect(market.subsidy).toBe(Math.ceil(100 * Math.log(1 / 0.45) * 1000));
    expect(market.pool).toBe(market.subsidy);
    expect(engine.store.priceHistory('rome', 10)[0]?.prices[0]).toBeCloseTo(0.45, 12);
  });

  it('trades, resolves and pays each winning share one credit', () => {
    engine = testEngine();
    const mod = engine.moderator('mod');
    ok(engine.service.openMarket({ ...question, id: 'rome' }, mod));
    const bob = ok(engine.service.buy({ marketId: 'rome', outcome: 'yes', amount: 100_000 }, engine.member('bob')));
    expect(bob.quote.cash).toBeLessThanOrEqual(100_000);
    expect(bob.quote.shares).toBe(Math.floor(100 * Math.log(2 * Math.E - 1) * 1000));
    expect(bob.quote.pricesAfter[0]).toBeGreaterThan(0.5);
    const carol = ok(engine.service.buy({ marketId: 'rome', outcome: 'No', amount: 50_000 }, engine.member('carol')));
    const sold = ok(engine.service.sell({ marketId: 'rome', outcome: 'No', shares: 10_000 }, engine.member('carol')));
    expect(sold.position).toBe(carol.quote.shares - 10_000);

    const refused = failure(engine.service.resolveMarket('rome', 'Yes', 'https://example.org/logs', engine.member('bob')));
    expect(refused.code).toBe('not_moderator');

    const settlement = ok(engine.service.resolveMarket('rome', 'Yes', 'https://example.org/logs', mod));
    expect(settlement.market.status).toBe('resolved');
    expect(settlement.market.resolution).toMatchObject({ outcome: 0, decidedBy: 'mod', evidence: 'https://example.org/logs' });
    expect(settlement.paid).toEqual([{ userId: 'bob', amount: bob.quote.shares }]);
    expect(engine.store.findAccount('user:console:bob')?.balance).toBe(1_000_000 - bob.quote.cash + bob.quote.shares);
    expect(settlement.market.pool).toBe(0);
    expect(failure(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1000 }, engine.member('bob'))).code).toBe(
      'market_not_open',
    );
  });

  it('refuses trades after the close time, and after a moderator closes it', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const late = { ...engine.member('bob'), now: question.closesAt };
    expect(failure(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1000 }, late)).code).toBe('market_not_open');
    expect(ok(engine.service.closeDueMarkets(question.closesAt)).map((m) => m.id)).toEqual(['rome']);
    expect(engine.store.findMarket('rome')?.status).toBe('closed');
    expect(failure(engine.service.closeMarket('rome', engine.moderator('mod'))).code).toBe('market_not_open');
  });

  it('cancelling refunds each trader their net payment and returns the subsidy', () => {
    engine = testEngine();
    const mod = engine.moderator('mod');
    ok(engine.service.openMarket({ ...question, id: 'rome', outcomes: ['A', 'B', 'C'] }, mod));
    const bob = ok(engine.service.buy({ marketId: 'rome', outcome: 'A', amount: 70_000 }, engine.member('bob')));
    const carol = ok(engine.service.buy({ marketId: 'rome', outcome: 'C', amount: 30_000 }, engine.member('carol')));
    const carolSold = ok(engine.service.sell({ marketId: 'rome', outcome: 'C' }, engine.member('carol')));
    const cancelled = ok(engine.service.cancelMarket('rome', 'the question was ill-posed', mod));
    expect(cancelled.market.status).toBe('cancelled');
    expect(engine.store.findAccount('user:console:bob')?.balance).toBe(1_000_000);
    expect(engine.store.findAccount('user:console:carol')?.balance).toBe(1_000_000);
    expect(cancelled.paid).toEqual([
      { userId: 'bob', amount: bob.quote.cash },
      { userId: 'carol', amount: carol.quote.cash - carolSold.quote.cash },
    ]);
    expect(cancelled.returned).toBe(cancelled.market.subsidy);
  });
});

describe('refusals leave nothing behind', () => {
  it('refuses an overdraft, a slipped price, an unknown outcome and shares not held', () => {
    engine = testEngine({ startingGrant: 50_000 });
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const before = verify(engine.db);
    const bob = engine.member('bob');
    expect(failure(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 60_000 }, bob)).code).toBe('insufficient_balance');
    expect(failure(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 40_000, maxPrice: 0.55 }, bob)).code).toBe('slippage');
    expect(failure(engine.service.buy({ marketId: 'rome', outcome: 'Maybe', amount: 10_000 }, bob)).code).toBe('unknown_outcome');
    expect(failure(engine.service.buy({ marketId: 'nope', outcome: 'Yes', amount: 10_000 }, bob)).code).toBe('unknown_market');
    expect(failure(engine.service.sell({ marketId: 'rome', outcome: 'Yes' }, bob)).code).toBe('insufficient_shares');
    expect(failure(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: -5 }, bob)).code).toBe('invalid_input');
    const ledgerRows = engine.db.prepare('SELECT COUNT(*) AS n FROM ledger').get();
    expect(ledgerRows).toEqual({ n: before.entries });
  });

  it('refuses a sell that would pay 0 credits, and keeps the shares', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const bob = engine.member('bob');
    const bought = ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, bob));
    const before = verify(engine.db).entries;
    // One milli-share is worth less than one milli-credit at any price below 1, and proceeds round down.
    const refused = failure(engine.service.sell({ marketId: 'rome', outcome: 'Yes', shares: 1 }, bob));
    expect(refused).toEqual({
      code: 'amount_too_small',
      message: 'That sell of Yes shares would pay 0 credits (amounts are rounded to 0.001 credits), so nothing was traded. Trade more shares.',
    });
    expect(verify(engine.db).entries).toBe(before);
    expect(engine.store.position('rome', 'bob', 0)).toBe(bought.position);
  });

  it('rejects invalid market definitions with the field named', () => {
    engine = testEngine();
    const alice = engine.member('alice');
    expect(failure(engine.service.openMarket({ ...question, outcomes: ['Yes'] }, alice)).message).toMatch(/outcomes/);
    expect(failure(engine.service.openMarket({ ...question, outcomes: ['A', 'B', 'C'], probability: 0.3 }, alice)).message).toMatch(
      /binary/,
    );
    expect(failure(engine.service.openMarket({ ...question, closesAt: T0 - 1 }, alice)).message).toMatch(/future/);
    expect(failure(engine.service.openMarket({ ...question, probability: 1 }, alice)).code).toBe('invalid_input');
  });
});

describe('requests', () => {
  it('applies the same request id at most once and returns the first result again', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const bob = { ...engine.member('bob'), requestId: 'interaction-1' };
    const first = ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, bob));
    const again = ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, bob));
    expect(again).toEqual(first);
    const trades = engine.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE reason = 'buy'`).get();
    expect(trades).toEqual({ n: 1 });
  });

  it("refuses a request id reused by another member or for another command, and replays it only for the first", () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const asked = { requestId: 'r-1', fingerprint: 'bet rome Yes 10' };
    const first = ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, { ...engine.member('alice'), ...asked }));
    const before = verify(engine.db).entries;
    const byBob = failure(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, { ...engine.member('bob'), ...asked }));
    expect(byBob).toEqual({ code: 'request_reused', message: 'That request id was already used by another member. Nothing was done; send it with a new id.' });
    const forAnother = failure(engine.service.account({ ...engine.member('alice'), requestId: 'r-1', fingerprint: 'portfolio' }));
    expect(forAnother).toEqual({ code: 'request_reused', message: 'That request id was already used for a different command. Nothing was done; send it with a new id.' });
    expect(engine.store.findAccount('user:bob')).toBeUndefined();
    expect(verify(engine.db).entries).toBe(before);
    expect(ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, { ...engine.member('alice'), ...asked }))).toEqual(first);
    // Rows kept before requests had owners replay for anyone, as they always did.
    engine.db.prepare('UPDATE requests SET user_id = NULL, fingerprint = NULL').run();
    expect(ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, { ...engine.member('bob'), ...asked })).quote).toEqual(first.quote);
  });

  it("keeps a trade's result without the market or the quote's prices, and replays it with them remade", () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome', outcomes: ['Yes', 'No', 'Maybe'] }, engine.member('alice')));
    const bob = { ...engine.member('bob'), requestId: 'interaction-1' };
    const first = ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, bob));
    const stored = engine.db.prepare<[string], { result: string }>('SELECT result FROM requests WHERE id = ?').get('interaction-1');
    const record = JSON.parse(stored?.result ?? '{}') as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(['balance', 'marketId', 'position', 'quote']);
    expect(record['marketId']).toBe('rome');
    expect(Object.keys(record['quote'] as object).sort()).toEqual(['cash', 'outcome', 'outstandingAfter', 'poolAfter', 'shares', 'side']);
    // Others trade before the replay: the replay still answers with the first trade's own numbers, prices included.
    ok(engine.service.buy({ marketId: 'rome', outcome: 'No', amount: 5_000 }, engine.member('carol')));
    const sold = ok(engine.service.sell({ marketId: 'rome', outcome: 'Yes', shares: 4_000 }, { ...bob, requestId: 'interaction-2' }));
    ok(engine.service.buy({ marketId: 'rome', outcome: 'Maybe', amount: 7_000 }, engine.member('carol')));
    const again = ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, bob));
    expect({ ...again, market: again.market.id }).toEqual({ ...first, market: first.market.id });
    expect(again.market).toEqual(engine.store.findMarket('rome'));
    const soldAgain = ok(engine.service.sell({ marketId: 'rome', outcome: 'Yes', shares: 4_000 }, { ...bob, requestId: 'interaction-2' }));
    expect({ ...soldAgain, market: soldAgain.market.id }).toEqual({ ...sold, market: sold.market.id });
  });

  it('replays a trade recorded with its whole quote, as trades were before the prices were left out', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const bob = { ...engine.member('bob'), requestId: 'interaction-1' };
    const first = ok(engine.service.buy({ marketId: 'rome', outcome: 'No', amount: 10_000 }, bob));
    const { market, ...whole } = first;
    engine.db
      .prepare('UPDATE requests SET result = ? WHERE id = ?')
      .run(JSON.stringify({ marketId: market.id, ...whole }), 'interaction-1');
    ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 5_000 }, engine.member('carol')));
    const again = ok(engine.service.buy({ marketId: 'rome', outcome: 'No', amount: 10_000 }, bob));
    expect({ ...again, market: again.market.id }).toEqual({ ...first, market: first.market.id });
  });

  it('keeps the results of requests applied before migration 004, trades rewritten to the compact shape', () => {
    engine = testEngine();
    const db = new Database(':memory:');
    for (const migration of migrations().filter((m) => m.version <= 3)) db.exec(migration.sql);
    db.pragma('user_version = 3');
    const remember = db.prepare('INSERT INTO requests (id, result, at) VALUES (?, ?, ?)');
    const quote = { side: 'buy', outcome: 0, shares: 9_000, cash: 5_000 };
    remember.run('trade', JSON.stringify({ market: { id: 'rome', question: 'Q?' }, quote, balance: 1, position: 2 }), T0);
    remember.run('opened', JSON.stringify({ id: 'rome', question: 'Q?' }), T0);
    migrate(db, { readonly: false });
    const kept = db.prepare<[], { id: string; result: string }>('SELECT id, result FROM requests ORDER BY id').all();
    expect(kept.map((row) => ({ id: row.id, result: JSON.parse(row.result) as unknown }))).toEqual([
      { id: 'opened', result: { id: 'rome', question: 'Q?' } },
      { id: 'trade', result: { marketId: 'rome', quote, balance: 1, position: 2 } },
    ]);
    db.close();
  });

  it("keeps a Discord interaction's request by its snowflake as an integer, any other id by its text, and replays both", () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const ids = ['1440000000000000001', '9223372036854775807', '9223372036854775808', '01440000000000000001', 'console:7'];
    const first = ids.map((requestId) => ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1_000 }, { ...engine.member('bob'), requestId })));
    const byInteger = engine.db.prepare<[], { id: bigint }>('SELECT id FROM interaction_requests ORDER BY id').safeIntegers(true).all();
    expect(byInteger.map((row) => String(row.id))).toEqual(['1440000000000000001', '9223372036854775807']);
    // One past SQLite's largest integer, or with a leading zero, an id is not a snowflake's integer: kept as text.
    const byText = engine.db.prepare<[], { id: string }>('SELECT id FROM requests ORDER BY id').all();
    expect(byText.map((row) => row.id)).toEqual(['01440000000000000001', '9223372036854775808', 'console:7']);
    const again = ids.map((requestId) => ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1_000 }, { ...engine.member('bob'), requestId })));
    // A replay reads the market again (see the test above): the rest is each first trade's own result.
    expect(again).toEqual(first.map((result) => ({ ...result, market: engine.store.findMarket('rome') })));
    expect(engine.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE reason = 'buy'`).get()).toEqual({ n: ids.length });
  });

  it('forgets request ids older than the cut-off, and only those, snowflakes and others alike', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const at = (now: number, requestId: string) => ({ ...engine.member('bob'), now, requestId });
    for (const [now, requestId] of [[T0, 'old'], [T0, '1440000000000000001'], [T0 + DAY, 'recent'], [T0 + DAY, '1440000000000000002']] as const) {
      ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1_000 }, at(now, requestId)));
    }
    expect(engine.service.forgetRequestsBefore(T0 + DAY)).toBe(2);
    expect(engine.db.prepare<[], { id: string }>('SELECT id FROM requests').all()).toEqual([{ id: 'recent' }]);
    expect(engine.db.prepare('SELECT CAST(id AS TEXT) AS id FROM interaction_requests').all()).toEqual([{ id: '1440000000000000002' }]);
  });
});

describe('the ledger', () => {
  it('is append-only', () => {
    engine = testEngine();
    ok(engine.service.account(engine.member('alice')));
    expect(() => engine.db.prepare('UPDATE ledger SET amount = amount + 1').run()).toThrow(/append-only/);
    expect(() => engine.db.prepare('DELETE FROM ledger').run()).toThrow(/append-only/);
  });

  it('catches a tampered balance and a tampered ledger row', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    ok(engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, engine.member('bob')));
    expect(verify(engine.db).ok).toBe(true);

    engine.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:bob'`).run();
    const balanceReport = verify(engine.db);
    expect(balanceReport.ok).toBe(false);
    expect(balanceReport.problems.join('\n')).toMatch(/user:console:bob: stored balance/);
    engine.db.prepare(`UPDATE accounts SET balance = balance - 1 WHERE id = 'user:console:bob'`).run();

    // Tampering below the triggers, as a disk-level edit would.
    engine.db.exec('DROP TRIGGER ledger_refuses_updates');
    engine.db.prepare(`UPDATE ledger SET shares = shares + 5 WHERE reason = 'buy'`).run();
    const rowReport = verify(engine.db);
    expect(rowReport.ok).toBe(false);
    expect(rowReport.problems.join('\n')).toMatch(/position rome\/bob\/#0/);
    engine.db.prepare(`UPDATE ledger SET shares = shares - 5 WHERE reason = 'buy'`).run();

    // A stored position the ledger never traded: found by the count of positions on both sides.
    engine.db.prepare(`INSERT INTO positions (market_id, user_id, outcome, shares) VALUES ('rome', 'mallory', 1, 7000)`).run();
    expect(verify(engine.db).problems).toEqual(['position rome/mallory/#1: stored 7000 but the ledger gives 0']);
    engine.db.prepare(`DELETE FROM positions WHERE user_id = 'mallory'`).run();

    // A ledger row naming an account that does not exist (possible only with foreign keys off).
    engine.db.pragma('foreign_keys = OFF');
    engine.db.exec('DROP TRIGGER ledger_refuses_deletes');
    engine.db.prepare(`INSERT INTO ledger (at, from_account, to_account, amount, reason) VALUES (0, 'mint', 'user:ghost', 0, 'grant')`).run();
    expect(verify(engine.db).problems).toEqual(['the ledger names account user:ghost, which does not exist']);
    engine.db.prepare(`DELETE FROM ledger WHERE to_account = 'user:ghost'`).run();
  });

  it('names a corrupt market row instead of trading on it', () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    engine.db.prepare(`UPDATE accounts SET outstanding = '["many"]' WHERE id = 'market:rome'`).run();
    expect(() => engine.service.buy({ marketId: 'rome', outcome: 'Yes', amount: 1000 }, engine.member('bob'))).toThrow(
      /Corrupt row in markets \(id rome\)/,
    );
    expect(verify(engine.db).problems.join('\n')).toMatch(/Corrupt row in markets/);
    engine.db.prepare(`UPDATE accounts SET outstanding = '[0,0]' WHERE id = 'market:rome'`).run();
  });

  it("parses a market's outcomes once for all its reads, frozen, and still names them corrupt when they are", () => {
    engine = testEngine();
    ok(engine.service.openMarket({ ...question, id: 'rome' }, engine.member('alice')));
    const outcomes = engine.store.findMarket('rome')?.outcomes;
    expect(engine.store.findMarket('rome')?.outcomes).toBe(outcomes);
    expect(Object.isFrozen(outcomes)).toBe(true);
    engine.db.prepare(`UPDATE markets SET outcomes = '["Yes"]' WHERE id = 'rome'`).run();
    expect(() => engine.store.findMarket('rome')).toThrow(/Corrupt row in markets \(id rome\): outcomes/);
    engine.db.prepare(`UPDATE markets SET outcomes = '["Yes","No"]' WHERE id = 'rome'`).run();
    expect(engine.store.findMarket('rome')?.outcomes).toEqual(['Yes', 'No']);
  });
});

describe('migrations', () => {
  it('refuses a database written by a newer Crux', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crux-'));
    try {
      const path = join(dir, 'crux.sqlite');
      engine = testEngine({}, path);
      engine.db.pragma(`user_version = ${latestVersion() + 1}`);
      expect(() => openDatabase(path)).toThrow(/newer Crux/);
      engine.db.pragma(`user_version = ${latestVersion()}`);
      expect(openDatabase(path).pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
