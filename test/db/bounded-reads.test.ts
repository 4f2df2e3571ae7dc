import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.ts';
import { verify } from '../../db/verify.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { DAY, T0, ok, testEngine, type TestEngine } from '../support/engine.ts';
import { rewindSchema } from '../support/schema.ts';

let engine: TestEngine;
afterEach(() => {
  engine.assertVerified();
  engine.db.close();
});

const open = (id: string, question = `Will ${id} happen?`) =>
  ok(engine.service.openMarket({ question, criteria: 'YES if it does.', closesAt: T0 + 30 * DAY, id }, engine.moderator('mod')));
const buy = (marketId: string, who: string, outcome: string, credits: number) =>
  ok(engine.service.buy({ marketId, outcome, amount: creditsToMillis(credits) }, engine.member(who)));

/** What the card showed before the tallies: the market's buy and sell rows, summed. */
function ledgerStats(marketId: string) {
  return engine.db
    .prepare<[string], { volume: number; traders: number }>(
      `SELECT COALESCE(SUM(amount), 0) AS volume, COUNT(DISTINCT holder) AS traders FROM ledger WHERE market_id = ? AND reason IN ('buy', 'sell')`,
    )
    .get(marketId);
}

describe("a market card reads its volume and traders from the market's book", () => {
  it('counts every buy and sell, and each trader once whichever outcomes they hold', () => {
    engine = testEngine();
    open('tallies');
    buy('tallies', 'ana', 'Yes', 20);
    buy('tallies', 'ana', 'No', 5);
    buy('tallies', 'ben', 'No', 7);
    ok(engine.service.sell({ marketId: 'tallies', outcome: 'Yes', shares: 3_000 }, engine.member('ana')));
    buy('tallies', 'ana', 'Yes', 1);
    const stats = engine.store.marketStats('tallies');
    expect(stats.traders).toBe(2);
    expect(stats).toEqual(ledgerStats('tallies'));
  });

  it('the full rebuild finds a tally that disagrees with the ledger', () => {
    engine = testEngine();
    open('tallies');
    buy('tallies', 'ana', 'Yes', 20);
    engine.db.prepare(`UPDATE accounts SET traders = traders + 1 WHERE id = 'market:tallies'`).run();
    expect(verify(engine.db).problems).toContainEqual(expect.stringMatching(/^market tallies: stored volume \d+ and 2 traders but the ledger gives \d+ and 1$/));
    engine.db.prepare(`UPDATE accounts SET traders = traders - 1 WHERE id = 'market:tallies'`).run();
  });

  it('migration 011 fills the tallies and each account\'s off-market net from the ledger', () => {
    engine = testEngine({ dailyAllowance: creditsToMillis(10) });
    open('old');
    buy('old', 'ana', 'Yes', 20);
    buy('old', 'ben', 'No', 4);
    ok(engine.service.account({ ...engine.member('ana'), now: T0 + DAY }));
    rewindSchema(engine.db, 10);
    migrate(engine.db, { readonly: false });
    expect(engine.store.marketStats('old')).toEqual(ledgerStats('old'));
    const ana = engine.db.prepare<[], { off_market_net: number }>(`SELECT off_market_net FROM accounts WHERE id = 'user:console:ana'`).get();
    expect(ana?.off_market_net).toBe(creditsToMillis(1000 + 10));
  });
});

describe('a price chart reads a bounded number of points', () => {
  // 9 trades and the opening price: read whole and thinned below 3 rows a point, sampled by index seeks above.
  it.each([
    { trades: 9, way: 'read whole and thinned' },
    { trades: 29, way: 'sampled by index seeks' },
  ])('returns every trade up to the limit, and past it that many points from the first price to the last ($way)', ({ trades }) => {
    engine = testEngine();
    open('chart');
    for (let i = 0; i < trades; i++) buy('chart', `m${i}`, i % 2 === 0 ? 'Yes' : 'No', 1 + (i % 9));
    const all = engine.db
      .prepare<[], { prices_after: string }>(`SELECT prices_after FROM ledger WHERE market_id = 'chart' AND prices_after IS NOT NULL ORDER BY id`)
      .all()
      .map((row) => JSON.parse(row.prices_after) as number[]);
    expect(all).toHaveLength(trades + 1);
    expect(engine.store.priceHistory('chart', trades + 1).map((point) => point.prices)).toEqual(all);
    const sampled = engine.store.priceHistory('chart', 4).map((point) => point.prices);
    expect(sampled).toHaveLength(4);
    expect(sampled[0]).toEqual(all[0]);
    expect(sampled.at(-1)).toEqual(all.at(-1));
    // Each point is one of the market's own prices, in order.
    const positions = sampled.map((prices) => all.findIndex((p) => JSON.stringify(p) === JSON.stringify(prices)));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(4);
  });
});

describe('a portfolio reads the realm\'s live markets only', () => {
  it('leaves out positions in settled markets', () => {
    engine = testEngine();
    open('live');
    open('settled');
    buy('live', 'ana', 'Yes', 5);
    buy('settled', 'ana', 'No', 5);
    ok(engine.service.resolveMarket('settled', 'No', 'https://example.org/evidence', engine.moderator('mod')));
    expect(engine.store.livePositionsOf('console', 'ana').map((position) => position.marketId)).toEqual(['live']);
  });
});

describe('listing and autocomplete read ordered index ranges', () => {
  it('lists live markets first, then settled ones, each by close time', () => {
    engine = testEngine();
    open('b-open');
    open('a-resolved');
    open('c-closed');
    ok(engine.service.resolveMarket('a-resolved', 'Yes', 'https://example.org/evidence', engine.moderator('mod')));
    ok(engine.service.closeMarket('c-closed', engine.moderator('mod')));
    expect(engine.store.listMarkets({ realm: 'console' }).map((market) => market.slug)).toEqual(['b-open', 'c-closed', 'a-resolved']);
    expect(engine.store.listMarkets({ realm: 'console', limit: 2 }).map((market) => market.slug)).toEqual(['b-open', 'c-closed']);
  });

  it('finds live markets by any part of slug or question, settled ones by the start of their slug', () => {
    engine = testEngine();
    open('replication-2027', 'Will a replication be published?');
    open('rome-power', 'Did ROME seek power?');
    ok(engine.service.resolveMarket('rome-power', 'Yes', 'https://example.org/evidence', engine.moderator('mod')));
    const slugs = (text: string, onlyOpen = false) => engine.store.searchMarkets('console', text, onlyOpen, 25).map((market) => market.slug);
    expect(slugs('PUBLISHED')).toEqual(['replication-2027']);
    expect(slugs('Rome')).toEqual(['rome-power']);
    expect(slugs('seek power')).toEqual([]);
    expect(slugs('rome', true)).toEqual([]);
    expect(slugs('')).toEqual(['replication-2027', 'rome-power']);
    expect(slugs('50%')).toEqual([]);
  });
});
