import { z } from 'zod';
import type { Condition } from '../markets/cruxes/conditions.ts';
import type { ConditionStore } from '../markets/cruxes/store.ts';
import type { RealmId } from '../markets/realms/realm.ts';
import type { Db } from './open.ts';
import { parseRow } from './rows.ts';

const conditionRow = z
  .object({ market_id: z.string(), condition_id: z.string(), outcome: z.number().int().nonnegative(), claim_id: z.string().nullable() })
  .transform((row): Condition => ({ marketId: row.market_id, conditionId: row.condition_id, outcome: row.outcome, claimId: row.claim_id }));

const parseCondition = (row: unknown) => parseRow(conditionRow, 'market_conditions', row);

export class SqliteConditionStore implements ConditionStore {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      conditionOf: db.prepare<[string]>('SELECT * FROM market_conditions WHERE market_id = ?'),
      // rowid order is the order the conditionals were opened in.
      conditionalsOf: db.prepare<[string]>('SELECT * FROM market_conditions WHERE condition_id = ? ORDER BY rowid'),
      cruxesOf: db.prepare<[string]>('SELECT * FROM market_conditions WHERE claim_id = ? ORDER BY rowid'),
      claimsIn: db.prepare<[string], { claim_id: string }>(
        `SELECT DISTINCT c.claim_id FROM market_conditions c JOIN markets m ON m.id = c.claim_id
         WHERE m.realm = ? ORDER BY c.claim_id`,
      ),
      setCondition: db.prepare(
        'INSERT INTO market_conditions (market_id, condition_id, outcome, claim_id) VALUES (@marketId, @conditionId, @outcome, @claimId)',
      ),
    };
  }

  conditionOf(marketId: string): Condition | undefined {
    const row = this.statements.conditionOf.get(marketId);
    return row === undefined ? undefined : parseCondition(row);
  }

  conditionalsOf(conditionId: string): Condition[] {
    return this.statements.conditionalsOf.all(conditionId).map(parseCondition);
  }

  setCondition(condition: Condition): void {
    this.statements.setCondition.run(condition);
  }

  cruxesOf(claimId: string): Condition[] {
    return this.statements.cruxesOf.all(claimId).map(parseCondition);
  }

  claimsIn(realm: RealmId): string[] {
    return this.statements.claimsIn.all(realm).map((row) => row.claim_id);
  }
}
