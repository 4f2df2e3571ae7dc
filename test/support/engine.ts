import { SqliteConditionStore } from '../../db/cruxes-store.ts';
import { openDatabase, type Db } from '../../db/open.ts';
import { freshMemoryDatabase } from './memory-db.ts';
import { SqliteSettlementStore } from '../../db/settlement-store.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { SettlementService } from '../../markets/settlement/service.ts';
import { verify } from '../../db/verify.ts';
import { creditsToMillis } from '../../markets/money.ts';
import { type Actor, type Context, type EngineSettings, MarketService } from '../../markets/service.ts';
import type { Result } from '../../markets/errors.ts';

export const T0 = Date.parse('2026-11-24T12:00:00Z');
export const DAY = 24 * 60 * 60 * 1000;

export interface TestEngine {
  db: Db;
  store: SqliteStore;
  service: MarketService;
  settlements: SettlementService;
  member(name: string): Context;
  moderator(name: string): Context;
  /** Fails the test with the ledger's own words if the books do not verify. */
  assertVerified(): void;
}

/** `windowMs` is every realm's dispute window; the default 0 pays settlements at once. */
export function testEngine(settings: Partial<EngineSettings> = {}, path = ':memory:', windowMs = 0): TestEngine {
  const db = path === ':memory:' ? freshMemoryDatabase() : openDatabase(path);
  const store = new SqliteStore(db);
  const engineSettings: EngineSettings = { startingGrant: creditsToMillis(1000), dailyAllowance: 0, defaultLiability: 100, ...settings };
  const conditions = new SqliteConditionStore(db);
  const settlements = new SettlementService(store, new SqliteSettlementStore(db), () => ({ windowMs, recusalRequired: false, recusalMs: 0, quorumPool: 0 }), conditions);
  const service = new MarketService(store, () => engineSettings, settlements, conditions);
  const context = (actor: Actor): Context => ({ realm: 'console', actor, now: T0 });
  return {
    db,
    store,
    service,
    settlements,
    member: (name) => context({ userId: name, displayName: name, isModerator: false }),
    moderator: (name) => context({ userId: name, displayName: name, isModerator: true }),
    assertVerified() {
      const report = verify(db);
      if (!report.ok) throw new Error(`ledger does not verify:\n${report.problems.join('\n')}`);
    },
  };
}

/** Unwraps a use case's result, failing loudly with the domain error's message. */
export function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function failure<T>(result: Result<T>): { code: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, but the use case succeeded');
  return { code: result.error.code, message: result.error.message };
}
