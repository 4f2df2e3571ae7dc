import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { DAY, ok, T0, testEngine } from '../support/engine.ts';
import { spawnCrux } from '../support/process.ts';
import { sleep } from './trading.ts';

/*
 * Consoles trading on one database file are killed with SIGKILL at random moments and restarted. Each trade
 * carries a request id (`--request`), so the driver resends whatever it holds no `done` for, as a client
 * would after a crash. Afterwards every trade acknowledged as done is in the ledger exactly once.
 */

const WORKERS = 3;
const KILLS_PER_WORKER = 7;
const TRADES_PER_WORKER = 700;
const TRADERS = 24;
const MARKETS = ['crash-alpha', 'crash-beta'];
/** Both settings must keep every acknowledged trade across a process crash (they differ only on power loss). */
const DURABILITY = ['FULL', 'NORMAL', 'FULL'] as const;
/** A life ends after a random number of acknowledgements or a random moment after start-up, whichever comes first. */
const MAX_ACKS_PER_LIFE = 80;
const MAX_LIFE_MS = 400;

interface PlannedTrade {
  id: string;
  lines: string;
}

function plan(worker: number): PlannedTrade[] {
  return Array.from({ length: TRADES_PER_WORKER }, (_, i) => {
    const id = `w${worker}-${i}`;
    const market = MARKETS[i % MARKETS.length] ?? 'crash-alpha';
    const trade =
      i % 5 === 4
        ? `/sell market:${market} outcome:Yes shares:1`
        : `/bet market:${market} outcome:${i % 3 === 0 ? 'No' : 'Yes'} amount:${1 + (i % 3)}`;
    // Traders are shared across workers, so the processes contend for the same accounts and markets.
    return { id, lines: `/as trader-${(worker * 7 + i) % TRADERS}\n${trade} --request ${id}\n` };
  });
}

interface WorkerOutcome {
  /** Request id → whether its acknowledged reply reports a trade (not a refusal). */
  acknowledged: Map<string, boolean>;
  /** Ids sent again after they had been acknowledged as trades. */
  replayed: Set<string>;
  /** Kills that landed with trades sent but not yet acknowledged. */
  interrupted: number;
}

async function runWorker(worker: number, database: string): Promise<WorkerOutcome> {
  const trades = plan(worker);
  const acknowledged = new Map<string, boolean>();
  const replayed = new Set<string>();
  let interrupted = 0;
  for (let life = 0; life <= KILLS_PER_WORKER; life++) {
    const last = life === KILLS_PER_WORKER;
    const traded = trades.filter((trade) => acknowledged.get(trade.id) === true);
    const replays = traded.slice(-3);
    for (const trade of replays) replayed.add(trade.id);
    const pending = [...replays, ...trades.filter((trade) => !acknowledged.has(trade.id))];

    const crux = spawnCrux([], { CRUX_DATABASE: database, CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_DURABILITY: DURABILITY[worker] ?? 'FULL' });
    const killAfterAcks = 1 + Math.floor(Math.random() * MAX_ACKS_PER_LIFE);
    let acksThisLife = 0;
    let block: string[] = [];
    createInterface({ input: crux.child.stdout }).on('line', (line) => {
      const done = /^done (\S+)$/.exec(line);
      if (!done) return void block.push(line);
      const reply = block.join('\n');
      block = [];
      acknowledged.set(done[1] ?? '', /\b(bought|sold)\b/.test(reply) && !reply.includes('⚠️'));
      acksThisLife += 1;
      // Killed from here, the child is still running, somewhere in the next trades.
      if (!last && acksThisLife === killAfterAcks) crux.child.kill('SIGKILL');
    });
    crux.child.stdin.write(pending.map((trade) => trade.lines).join(''));
    if (last) {
      crux.child.stdin.end();
      const exit = await crux.exited;
      expect(exit, crux.stderr).toEqual({ code: 0, signal: null });
      expect(crux.stderr).toBe('');
    } else {
      await crux.waitForOutput('Type /help for commands.');
      await Promise.race([crux.exited, sleep(Math.random() * MAX_LIFE_MS)]);
      crux.child.kill('SIGKILL');
      await crux.exited;
      if (pending.some((trade) => !acknowledged.has(trade.id))) interrupted += 1;
    }
  }
  return { acknowledged, replayed, interrupted };
}

let dir: string;
let database: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crux-crash-'));
  database = join(dir, 'crux.sqlite');
  const engine = testEngine({}, database);
  for (const id of MARKETS) {
    ok(engine.service.openMarket({ id, question: `Will ${id} survive the crashes?`, criteria: 'The ledger verifies.', closesAt: T0 + 3650 * DAY }, engine.moderator('mod')));
  }
  engine.db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crash safety', () => {
  it('keeps every acknowledged trade exactly once across 21 SIGKILLs of concurrent consoles, and the ledger verifies', async () => {
    const outcomes = await Promise.all(Array.from({ length: WORKERS }, (_, worker) => runWorker(worker, database)));

    const db = openDatabase(database);
    try {
      const report = verify(db);
      expect(report.problems).toEqual([]);
      const applied = db
        .prepare<[], { request_id: string; n: number }>(
          `SELECT request_id, COUNT(*) AS n FROM ledger WHERE request_id LIKE 'console:request:%' GROUP BY request_id`,
        )
        .all();
      expect(applied.filter((row) => row.n !== 1)).toEqual([]);
      const inLedger = new Set(applied.map((row) => row.request_id.slice('console:request:'.length)));

      const traded = outcomes.flatMap((outcome) => [...outcome.acknowledged].filter(([, isTrade]) => isTrade).map(([id]) => id));
      // Every trade ends acknowledged (the last life of each worker runs to the end of its input)...
      expect(outcomes.reduce((sum, outcome) => sum + outcome.acknowledged.size, 0)).toBe(WORKERS * TRADES_PER_WORKER);
      // ...and what the ledger holds is exactly what was acknowledged as traded: nothing lost, nothing extra.
      expect([...inLedger].sort()).toEqual([...traded].sort());
      expect(traded.length).toBeGreaterThan(WORKERS * TRADES_PER_WORKER * 0.7);

      const replayed = outcomes.flatMap((outcome) => [...outcome.replayed]);
      expect(replayed.length).toBeGreaterThan(0);
      for (const id of replayed) expect(inLedger.has(id)).toBe(true);
      // The kills must land while work is in flight to prove anything.
      expect(outcomes.reduce((sum, outcome) => sum + outcome.interrupted, 0)).toBeGreaterThanOrEqual(WORKERS * KILLS_PER_WORKER * 0.5);
    } finally {
      db.close();
    }
  }, 180_000);
});
