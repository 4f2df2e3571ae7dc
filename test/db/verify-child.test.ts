import { constants } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../db/checkpoint.ts';
import { verifyInChild } from '../../db/verify-in-child.ts';
import { takeScheduledVerify } from '../../bot/verify-job.ts';
import { DAY, T0, ok, testEngine, type TestEngine } from '../support/engine.ts';
import { folderForEachTest } from '../support/folder.ts';

// The bot runs the check at the lowest priority; here it runs at the tests' own, so a busy machine cannot starve it.
const NORMAL = constants.priority.PRIORITY_NORMAL;

const dir = folderForEachTest('crux-verify-child-');
let engine: TestEngine;
beforeEach(() => {
  engine = testEngine({}, join(dir(), 'crux.sqlite'));
  ok(engine.service.openMarket({ question: 'Will the child agree?', criteria: 'YES if so.', closesAt: T0 + DAY, id: 'worker' }, engine.moderator('mod')));
  ok(engine.service.buy({ marketId: 'worker', outcome: 'Yes', amount: 30_000 }, engine.member('ana')));
});
afterEach(() => {
  engine.db.close();
});

const lastId = () => engine.db.prepare<[], { id: number }>('SELECT MAX(id) AS id FROM ledger').get()?.id ?? 0;

describe('the scheduled full rebuild runs in a child process', () => {
  it('reports what the ledger gives from its own connection, and a difference the main connection wrote', async () => {
    const report = await verifyInChild(engine.db.name, { priority: NORMAL });
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(lastId());
    engine.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:ana'`).run();
    expect((await verifyInChild(engine.db.name, { priority: NORMAL })).problems).toContainEqual(expect.stringMatching(/^account user:console:ana: stored balance/));
  });

  it('moves the checkpoint to the last row it verified, and leaves it where it was when the ledger does not verify', async () => {
    const logged: string[] = [];
    await takeScheduledVerify(engine.db, T0, (message) => logged.push(message), { priority: NORMAL });
    const first = readCheckpoint(engine.db, lastId());
    expect(first.ok && first.summary.ledgerId).toBe(lastId());
    const kept = lastId();
    ok(engine.service.buy({ marketId: 'worker', outcome: 'No', amount: 10_000 }, engine.member('ben')));
    engine.db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:ben'`).run();
    await takeScheduledVerify(engine.db, T0, (message) => logged.push(message), { priority: NORMAL });
    const second = readCheckpoint(engine.db, lastId());
    expect(second.ok && second.summary.ledgerId).toBe(kept);
    expect(logged).toEqual(['the ledger verifies', 'the ledger does not verify']);
    engine.db.prepare(`UPDATE accounts SET balance = balance - 1 WHERE id = 'user:console:ben'`).run();
  });
});
