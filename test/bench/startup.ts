import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../db/open.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { MarketService } from '../../markets/service.ts';
import { T0, ok } from '../support/engine.ts';
import { spawnCrux } from '../support/process.ts';
import { openBenchMarket } from './markets.ts';
import { withTempDir } from './measure.ts';
import { pick, randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

const MARKETS = 100;
const MEMBERS = 1_000;
const TRADES = 100_000;
const TRADES_PER_BATCH = 2_000;
const STARTS = 3;
const READY = 'Type /help for commands.';

/** A database the size of a busy server's first year: many markets, members and ledger rows. */
function buildLargeDatabase(path: string): void {
  const db = openDatabase(path, { durability: 'NORMAL' });
  const service = new MarketService(new SqliteStore(db), { startingGrant: creditsToMillis(1_000_000), dailyAllowance: 0, defaultLiability: 1_000 });
  const maker = { actor: { userId: 'bench-maker', isModerator: true }, now: T0 };
  const markets = Array.from({ length: MARKETS }, (_, i) => openBenchMarket(service, `startup-${i}`, i % 10 === 0 ? 5 : 2, maker));
  const random = seededRandom(7);
  // Batching trades in one outer transaction (each is a savepoint within it) only speeds up building the file.
  const batch = db.transaction((count: number) => {
    for (let i = 0; i < count; i++) {
      const market = pick(random, markets);
      const actor = { userId: `member-${randomInt(random, MEMBERS)}`, isModerator: false };
      ok(service.buy({ marketId: market.id, outcome: randomInt(random, market.outcomes.length), amount: creditsToMillis(1 + randomInt(random, 20)) }, { actor, now: T0 }));
    }
  });
  for (let done = 0; done < TRADES; done += TRADES_PER_BATCH) batch(TRADES_PER_BATCH);
  db.close();
}

/** From spawning `npm start` (the console) to its prompt: config, open, migrate, verify the ledger, ready. */
async function timeToReady(database: string): Promise<number> {
  const start = performance.now();
  const crux = spawnCrux([], { CRUX_DATABASE: database });
  await crux.waitForOutput(READY, 120_000);
  const ms = performance.now() - start;
  crux.child.stdin.end();
  await crux.exited;
  return ms;
}

async function medianTimeToReady(database: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) times.push(await timeToReady(database));
  return times.sort((a, b) => a - b)[Math.floor(STARTS / 2)] ?? Number.NaN;
}

export async function runStartupBench(report: Report): Promise<void> {
  await withTempDir(async (dir) => {
    const empty = join(dir, 'empty.sqlite');
    report.figure('startup_empty_ms', await medianTimeToReady(empty), 0);
    const large = join(dir, 'large.sqlite');
    const built = performance.now();
    buildLargeDatabase(large);
    report.note(
      `large database: ${MARKETS} markets, ${MEMBERS} members, ${TRADES} trades, ${(statSync(large).size / 1e6).toFixed(0)} MB, built in ${((performance.now() - built) / 1000).toFixed(1)} s`,
    );
    report.figure('startup_ms', await medianTimeToReady(large), 0);
  });
}
