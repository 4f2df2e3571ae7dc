import type { RealmId } from '../realms/realm.ts';
import type { Condition } from './conditions.ts';

/** What conditional markets need from storage. One implementation lives in db/. */
export interface ConditionStore {
  conditionOf(marketId: string): Condition | undefined;
  /** The markets conditional on this one, in the order they were opened. */
  conditionalsOf(conditionId: string): Condition[];
  setCondition(condition: Condition): void;
  /** The conditionals that ask this claim's question again under a condition. */
  cruxesOf(claimId: string): Condition[];
  /** Keys of the realm's markets that are the claim of at least one crux. */
  claimsIn(realm: RealmId): string[];
}
