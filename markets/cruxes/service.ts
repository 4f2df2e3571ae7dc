import { CruxError, type Result } from '../errors.ts';
import { MIN_OPENING_VECTOR_PROBABILITY } from '../inputs.ts';
import { currentPrices, type Market } from '../market.ts';
import type { RealmId } from '../realms/realm.ts';
import { type MarketService, requireMarket, runUseCase } from '../service.ts';
import type { Store } from '../store.ts';
import type { Context } from '../use-case.ts';
import type { ConditionStore } from './store.ts';
import { cruxStrength } from './strength.ts';
import { normaliseName, prefixOf } from '../names.ts';

export interface CruxBranch {
  /** The condition's outcome this branch assumes. */
  outcome: string;
  conditionPrice: number;
  conditional: Market;
  /** P(claim | condition = outcome): the conditional's price of the claim's first outcome. */
  claimPrice: number;
}

/** One claim and one condition: the claim's price, the condition's, and the claim's price under each outcome. */
export interface Crux {
  claim: Market;
  claimPrice: number;
  condition: Market;
  conditionPrices: number[];
  branches: CruxBranch[];
  strength: number;
}

export interface ClaimCruxes {
  claim: Market;
  claimPrice: number;
  cruxes: Crux[];
}

const QUESTION_LIMIT = 300;
const CRITERIA_LIMIT = 2000;

/** "If X: Y?" for a condition's first outcome, "If not X: Y?" for a binary condition's second, else "If X is O: Y?". */
export function conditionalQuestion(claim: Pick<Market, 'question'>, condition: Pick<Market, 'question' | 'outcomes'>, outcome: number): string {
  const x = condition.question.trim().replace(/\?$/, '');
  const yesNo = condition.outcomes.length === 2 && condition.outcomes[0]?.toLowerCase() === 'yes' && condition.outcomes[1]?.toLowerCase() === 'no';
  const premise = yesNo ? (outcome === 0 ? x : `not ${x}`) : `${x} is ${condition.outcomes[outcome] ?? '?'}`;
  // Cut in the form openMarket normalises it to, and with three dots, which normalising leaves as they are ("…"
  // would become three dots, and the question longer than the limit).
  const question = normaliseName(`If ${premise}: ${claim.question}`);
  return question.length <= QUESTION_LIMIT ? question : `${prefixOf(question, QUESTION_LIMIT - 3).trimEnd()}...`;
}

function isLive(market: Market): boolean {
  return market.status === 'open' || market.status === 'closed';
}

/**
 * Cruxes: a claim asked again under each outcome of a condition, so the server sees what would change its mind.
 * Opening one opens ordinary conditional markets; their settlement is the market service's.
 */
export class CruxService {
  constructor(
    private readonly store: Store,
    private readonly conditions: ConditionStore,
    private readonly markets: MarketService,
  ) {}

  /**
   * Opens the claim conditional on each outcome of the condition, all in one transaction. Each conditional asks the
   * claim's question with its outcomes, criteria, liquidity and close time, and opens at the claim's current prices,
   * so it starts saying "no difference" and only trading moves it.
   */
  openCrux(claimSlug: string, conditionSlug: string, place: { guildId: string | null; channelId: string | null }, context: Context): Result<Crux> {
    return runUseCase(this.store, context, () => {
      const claim = requireMarket(this.store, context.realm, claimSlug);
      const condition = requireMarket(this.store, context.realm, conditionSlug);
      if (claim.id === condition.id) throw new CruxError('invalid_input', 'A claim cannot be its own condition.');
      // Strength is a change in one probability, so the claim is a two-outcome market; the condition may have many.
      if (claim.outcomes.length !== 2) throw new CruxError('invalid_input', `A crux's claim has two outcomes; \`${claim.slug}\` has ${claim.outcomes.length}.`);
      if (claim.status !== 'open') throw new CruxError('market_not_open', `\`${claim.slug}\` is ${claim.status}; only an open claim can get a crux.`);
      if (this.conditions.cruxesOf(claim.id).some((crux) => crux.conditionId === condition.id)) {
        throw new CruxError('market_exists', `\`${claim.slug}\` already has a crux on \`${condition.slug}\`: see /crux show.`);
      }
      const probabilities = currentPrices(claim).map((p) => Math.max(p, MIN_OPENING_VECTOR_PROBABILITY));
      for (const [outcome] of condition.outcomes.entries()) {
        const opened = this.markets.openMarket(
          {
            question: conditionalQuestion(claim, condition, outcome),
            criteria: prefixOf(
              `Resolves as \`${claim.slug}\` does, if \`${condition.slug}\` resolves ${condition.outcomes[outcome]}; otherwise cancelled with every trade refunded.\n${claim.criteria}`,
              CRITERIA_LIMIT,
            ),
            outcomes: claim.outcomes,
            probabilities,
            liquidity: claim.liquidity,
            closesAt: claim.closesAt,
            guildId: place.guildId,
            channelId: place.channelId ?? claim.channelId,
            tags: claim.tags,
            condition: { market: condition.slug, outcome, claim: claim.slug },
          },
          { realm: context.realm, actor: context.actor, now: context.now },
        );
        if (!opened.ok) throw opened.error;
      }
      const crux = this.cruxesOfClaim(claim).cruxes.find((candidate) => candidate.condition.id === condition.id);
      if (!crux) throw new Error(`the crux of ${claim.id} on ${condition.id} vanished inside its own transaction`);
      return crux;
    });
  }

  /** A claim of the realm with every crux on it (conditions whose conditionals were all cancelled are left out). */
  claimCruxes(realm: RealmId, slug: string): ClaimCruxes {
    return this.cruxesOfClaim(requireMarket(this.store, realm, slug));
  }

  /** The realm's cruxes whose condition is still unsettled, strongest first: what would change the server's mind most. */
  ranked(realm: RealmId): Crux[] {
    return this.conditions
      .claimsIn(realm)
      .flatMap((key) => {
        const claim = this.store.findMarket(key);
        return claim ? this.cruxesOfClaim(claim).cruxes : [];
      })
      .filter((crux) => isLive(crux.condition))
      .sort((a, b) => b.strength - a.strength || a.claim.slug.localeCompare(b.claim.slug));
  }

  private cruxesOfClaim(claim: Market): ClaimCruxes {
    const claimPrice = currentPrices(claim)[0] ?? 0;
    const byCondition = new Map<string, { outcome: number; conditional: Market }[]>();
    for (const link of this.conditions.cruxesOf(claim.id)) {
      const conditional = this.store.findMarket(link.marketId);
      if (!conditional || conditional.status === 'cancelled') continue;
      byCondition.set(link.conditionId, [...(byCondition.get(link.conditionId) ?? []), { outcome: link.outcome, conditional }]);
    }
    const cruxes = [...byCondition].flatMap(([conditionId, links]): Crux[] => {
      const condition = this.store.findMarket(conditionId);
      if (!condition) return [];
      const conditionPrices = currentPrices(condition);
      const branches = links.map(({ outcome, conditional }) => ({
        outcome: condition.outcomes[outcome] ?? '?',
        conditionPrice: conditionPrices[outcome] ?? 0,
        conditional,
        claimPrice: currentPrices(conditional)[0] ?? 0,
      }));
      return [{ claim, claimPrice, condition, conditionPrices, branches, strength: cruxStrength(claimPrice, branches) }];
    });
    return { claim, claimPrice, cruxes };
  }
}
