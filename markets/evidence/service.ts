import { CruxError, type Result } from '../errors.ts';
import { IGNORE_EVENTS, type MarketEventSink } from '../events.ts';
import { currentPrices, type Market } from '../market.ts';
import type { RealmId } from '../realms/realm.ts';
import { requireMarket } from '../service.ts';
import type { Store } from '../store.ts';
import { type Context, requireModerator, runUseCase } from '../use-case.ts';
import { checkNote, type EvidenceItem, type Stance } from './evidence.ts';
import type { EvidenceStore } from './store.ts';
import { checkEvidenceUrl } from './url.ts';

export interface AddEvidence {
  marketId: string;
  url: string;
  stance: Stance;
  note?: string;
}

/** Evidence members attach to a market: anyone may add, moderators may hide (the item stays in the record). */
export class EvidenceService {
  constructor(
    private readonly store: Store,
    private readonly evidenceStore: EvidenceStore,
    private readonly events: MarketEventSink = IGNORE_EVENTS,
  ) {}

  add(input: AddEvidence, context: Context): Result<{ market: Market; item: EvidenceItem }> {
    return runUseCase(this.store, context, () => {
      const market = requireMarket(this.store, context.realm, input.marketId);
      const url = checkEvidenceUrl(input.url);
      const item: EvidenceItem = {
        marketId: market.id,
        number: this.evidenceStore.nextEvidenceNumber(market.id),
        url,
        stance: input.stance,
        note: checkNote(input.note),
        addedBy: context.actor.userId,
        addedAt: context.now,
        pricesThen: currentPrices(market),
        hidden: null,
      };
      this.evidenceStore.insertEvidence(item);
      this.events({ kind: 'evidence', market, item, at: context.now });
      return { market, item };
    });
  }

  /** Newest first; hidden items only for moderators, who see why they were hidden. */
  list(realm: RealmId, slug: string, includeHidden: boolean): { market: Market; items: EvidenceItem[] } {
    const market = requireMarket(this.store, realm, slug);
    const items = this.evidenceStore.evidence(market.id).filter((item) => includeHidden || item.hidden === null);
    return { market, items };
  }

  hide(slug: string, number: number, reason: string, context: Context): Result<{ market: Market; item: EvidenceItem }> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'hide evidence');
      const market = requireMarket(this.store, context.realm, slug);
      const item = this.evidenceStore.evidence(market.id).find((candidate) => candidate.number === number);
      if (item === undefined) throw new CruxError('invalid_input', `\`${market.slug}\` has no evidence #${number}.`);
      if (item.hidden !== null) throw new CruxError('invalid_input', `Evidence #${number} of \`${market.slug}\` is already hidden.`);
      const why = reason.trim();
      if (why === '') throw new CruxError('invalid_input', 'Say why the evidence is hidden.');
      const hidden = { by: context.actor.userId, at: context.now, reason: why };
      this.evidenceStore.hideEvidence(market.id, number, hidden);
      return { market, item: { ...item, hidden } };
    });
  }
}
