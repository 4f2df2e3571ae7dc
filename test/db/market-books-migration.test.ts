import { join } from 'node:path';
import { expect, it } from 'vitest';
import { latestVersion } from '../../db/migrate.ts';
import { verify } from '../../db/verify.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { DAY, ok, T0, testEngine } from '../support/engine.ts';
import { folderForEachTest } from '../support/folder.ts';
import { insertRome, rewindSchema, versionBefore } from '../support/schema.ts';

const previous = versionBefore('_market_books.sql');
const dir = folderForEachTest('crux-migration-books-');
const question = { criteria: 'A second team.', closesAt: T0 + 30 * DAY };

interface Book {
  id: string;
  outstanding: string;
  volume: number;
  traders: number;
}

it(`migrates a schema-${previous} database: each market's book moves to its account, and trading goes on from it`, () => {
  const path = join(dir(), 'crux.sqlite');
  const old = testEngine({}, path);
  const g1 = (context: ReturnType<typeof old.member>) => ({ ...context, realm: 'g1' });
  const g2 = (context: ReturnType<typeof old.member>) => ({ ...context, realm: 'g2' });
  ok(old.service.openMarket({ ...question, id: 'agents', question: 'Do agents seek power?', guildId: 'g1' }, g1(old.moderator('alice'))));
  ok(old.service.openMarket({ ...question, id: 'evals', question: 'Which lab evals first?', guildId: 'g2', outcomes: ['A', 'B', 'C'] }, g2(old.moderator('carol'))));
  ok(old.service.buy({ marketId: 'agents', outcome: 'Yes', amount: creditsToMillis(40) }, g1(old.member('bob'))));
  ok(old.service.buy({ marketId: 'agents', outcome: 'No', amount: creditsToMillis(15) }, g1(old.member('dan'))));
  ok(old.service.sell({ marketId: 'agents', outcome: 'Yes', shares: 9_000 }, g1(old.member('bob'))));
  ok(old.service.buy({ marketId: 'evals', outcome: 'C', amount: creditsToMillis(25) }, g2(old.member('bob'))));
  rewindSchema(old.db, previous);
  // A market that lost its account (nothing in the ledger names it): schema 18 kept its book on its own row.
  insertRome(old.db, T0, T0 + 30 * DAY);
  const booksThen = old.db.prepare<[], Book>(`SELECT 'market:' || id AS id, outstanding, volume, traders FROM markets ORDER BY id`).all();
  const balancesThen = old.db.prepare('SELECT id, balance FROM accounts ORDER BY id').all();
  expect(booksThen.find((book) => book.id === 'market:agents')).toMatchObject({ traders: 2 });
  old.db.close();

  const engine = testEngine({}, path);
  try {
    expect(engine.db.pragma('user_version', { simple: true })).toBe(latestVersion());
    const columns = engine.db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('markets')`).all().map((row) => row.name);
    expect(columns).not.toContain('outstanding');
    expect(engine.db.prepare<[], Book>(`SELECT id, outstanding, volume, traders FROM accounts WHERE kind = 'market' ORDER BY id`).all()).toEqual(booksThen);
    expect(engine.db.prepare(`SELECT id, balance FROM accounts WHERE id <> 'market:rome' ORDER BY id`).all()).toEqual(balancesThen);
    expect(engine.db.prepare(`SELECT kind, realm, balance FROM accounts WHERE id = 'market:rome'`).get()).toEqual({ kind: 'market', realm: 'g1', balance: 0 });
    expect(verify(engine.db).problems).toEqual([]);

    // The moved book is the one trades read and write: a new trader adds to it as before the move.
    const before = engine.store.findMarket('agents');
    const traded = ok(engine.service.buy({ marketId: 'agents', outcome: 'No', amount: creditsToMillis(5) }, { ...engine.member('erin'), realm: 'g1' }));
    expect(before?.outstanding).toEqual(JSON.parse(booksThen[0]?.outstanding ?? '[]'));
    expect(engine.store.findMarket('agents')?.outstanding).toEqual(traded.market.outstanding);
    expect(engine.store.marketStats('agents')).toEqual({ volume: (booksThen[0]?.volume ?? 0) + traded.quote.cash, traders: 3 });
    expect(verify(engine.db).problems).toEqual([]);
  } finally {
    engine.db.close();
  }
});
