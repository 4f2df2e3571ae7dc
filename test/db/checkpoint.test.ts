import { afterEach, describe, expect, it } from 'vitest';
import { checksumOf, encodeSummary, readCheckpoint, saveCheckpoint } from '../../db/checkpoint.ts';
import { verify, verifySinceCheckpoint } from '../../db/verify.ts';
import { DAY, T0, ok, testEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;
afterEach(() => engine.db.close());

const question = { question: 'Will the checkpoint hold?', criteria: 'YES if it does.', closesAt: T0 + 30 * DAY };

/** A market traded by two members: every kind of row a start-up has to fold (grants, subsidy, buys, a sell). */
function trade(id: string): void {
  ok(engine.service.openMarket({ ...question, id }, engine.moderator('mod')));
  ok(engine.service.buy({ marketId: id, outcome: 'Yes', amount: 40_000 }, engine.member('ana')));
  ok(engine.service.buy({ marketId: id, outcome: 'No', amount: 25_000 }, engine.member('ben')));
  ok(engine.service.sell({ marketId: id, outcome: 'Yes', shares: 5_000 }, engine.member('ana')));
}

const lastId = () => engine.db.prepare<[], { id: number }>('SELECT MAX(id) AS id FROM ledger').get()?.id ?? 0;
/** What start-up does: verify since the checkpoint, and keep a new one if the ledger verifies. */
const start = () => {
  const report = verifySinceCheckpoint(engine.db);
  if (report.ok) saveCheckpoint(engine.db, report.summary, T0);
  return report;
};

interface StoredSummary {
  balances: [string, number][];
  inflows: [string, number][];
}

/** Rewrites the stored checkpoint's summary through `change`, with a checksum that matches the new text. */
function forgeCheckpoint(change: (summary: StoredSummary) => void): void {
  const row = engine.db.prepare<[], { summary: string }>('SELECT summary FROM ledger_checkpoint').get();
  const summary = JSON.parse(row?.summary ?? '{}') as StoredSummary;
  change(summary);
  const text = JSON.stringify(summary);
  engine.db.prepare('UPDATE ledger_checkpoint SET summary = ?, checksum = ?').run(text, checksumOf(text));
}

describe('start-up verifies the ledger rows after the last checkpoint', () => {
  it('folds the whole ledger the first time, keeps a checkpoint at its last row, then reads only the rows after it', () => {
    engine = testEngine();
    trade('first');
    const first = start();
    expect(first.problems).toEqual([]);
    expect(first.entries).toBe(lastId());
    const checkpoint = readCheckpoint(engine.db, lastId());
    expect(checkpoint.ok && checkpoint.summary.ledgerId).toBe(lastId());

    const before = lastId();
    trade('second');
    const second = start();
    expect(second.problems).toEqual([]);
    expect(second.entries).toBe(lastId() - before);
    // What the checkpoint plus the new rows give is what the full rebuild gives.
    expect(encodeSummary(second.summary)).toBe(encodeSummary(verify(engine.db).summary));
    expect(verify(engine.db).problems).toEqual([]);
  });

  it('finds a balance changed outside the ledger after the checkpoint, and does not move the checkpoint past it', () => {
    engine = testEngine();
    trade('first');
    start();
    const kept = lastId();
    trade('second');
    engine.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:ana'`).run();
    const report = start();
    expect(report.problems).toContainEqual(expect.stringMatching(/^account user:console:ana: stored balance \d+ but the ledger gives \d+$/));
    const checkpoint = readCheckpoint(engine.db, lastId());
    expect(checkpoint.ok && checkpoint.summary.ledgerId).toBe(kept);
  });

  it('finds outstanding shares changed outside the ledger', () => {
    engine = testEngine();
    trade('first');
    start();
    engine.db.prepare(`UPDATE accounts SET outstanding = json_set(outstanding, '$[0]', json_extract(outstanding, '$[0]') + 7) WHERE id = 'market:first'`).run();
    expect(start().problems).toContainEqual(expect.stringMatching(/^market first outcome #0: \d+ shares outstanding but the ledger gives \d+$/));
  });

  it('refuses a checkpoint whose checksum fails', () => {
    engine = testEngine();
    trade('first');
    start();
    engine.db.prepare(`UPDATE ledger_checkpoint SET summary = replace(summary, 'user:console:ana', 'user:console:anb')`).run();
    expect(start().problems).toContainEqual(`the ledger checkpoint at entry ${lastId()} fails its checksum`);
  });

  it('refuses a checkpoint of rows the ledger does not have', () => {
    engine = testEngine();
    trade('first');
    start();
    const text = engine.db.prepare<[], { summary: string }>('SELECT summary FROM ledger_checkpoint').get()?.summary ?? '';
    const ahead = text.replace(/^\{"ledgerId":\d+/, `{"ledgerId":${lastId() + 5}`);
    engine.db.prepare('UPDATE ledger_checkpoint SET ledger_id = ?, summary = ?, checksum = ?').run(lastId() + 5, ahead, checksumOf(ahead));
    expect(start().problems).toContainEqual(`the ledger checkpoint summarises entries up to ${lastId() + 5} but the ledger ends at ${lastId()}`);
  });

  it('a checkpoint forged together with the balance it covers passes start-up, and the full rebuild finds it', () => {
    engine = testEngine();
    trade('first');
    start();
    // A credit minted for ana without a ledger row, with the mint and the realm's inflow made to agree.
    forgeCheckpoint((summary) => {
      const add = (entries: [string, number][], key: string, amount: number) => {
        const entry = entries.find(([id]) => id === key);
        if (entry) entry[1] += amount;
      };
      add(summary.balances, 'user:console:ana', 1);
      add(summary.balances, 'mint', -1);
      add(summary.inflows, 'console', 1);
    });
    engine.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:ana'`).run();
    engine.db.prepare(`UPDATE accounts SET balance = balance - 1 WHERE id = 'mint'`).run();
    // Start-up trusts the checkpoint up to its row: it reads nothing before it.
    expect(verifySinceCheckpoint(engine.db).problems).toEqual([]);
    expect(verify(engine.db).problems).toContainEqual(expect.stringMatching(/^the checkpoint at ledger entry \d+ gives account user:console:ana \d+ but the ledger gives \d+$/));
  });
});
