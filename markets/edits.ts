import { CruxError, type Result } from './errors.ts';
import type { EvidenceStore, MarketTexts } from './evidence/store.ts';
import { IGNORE_EVENTS, type MarketEdit, type MarketEventSink } from './events.ts';
import type { Market } from './market.ts';
import type { RealmId } from './realms/realm.ts';
import { requireMarket, requireMarketByKey } from './service.ts';
import type { Store } from './store.ts';
import { type Context, runUseCase } from './use-case.ts';

export interface EditCommand {
  marketId: string;
  question?: string;
  criteria?: string;
  closesAt?: number;
  addTag?: string;
  reason?: string;
}

const MAX_TAGS = 10;

/** How a field's value is written in the edit record. */
function shown(field: MarketEdit['field'], texts: MarketTexts): string {
  switch (field) {
    case 'question':
      return texts.question;
    case 'criteria':
      return texts.criteria;
    case 'closes_at':
      return new Date(texts.closesAt).toISOString();
    case 'tags':
      return texts.tags.join(', ');
  }
}

/** The texts after the edit, checked; refuses an edit that changes nothing. */
export function editedTexts(market: Market, command: EditCommand, now: number): MarketTexts {
  const next: MarketTexts = { question: market.question, criteria: market.criteria, closesAt: market.closesAt, tags: [...market.tags] };
  if (command.question !== undefined) next.question = command.question.trim();
  if (command.criteria !== undefined) next.criteria = command.criteria.trim();
  if (next.question === '' || next.criteria === '') throw new CruxError('invalid_input', 'The question and how it resolves cannot be empty.');
  if (command.closesAt !== undefined) {
    if (market.status !== 'open') throw new CruxError('market_not_open', `\`${market.slug}\` has closed; its close time can no longer move.`);
    if (command.closesAt <= now) throw new CruxError('invalid_input', 'The new close time must be in the future.');
    next.closesAt = command.closesAt;
  }
  if (command.addTag !== undefined) {
    const tag = command.addTag.trim().toLowerCase();
    if (tag === '' || tag.length > 40) throw new CruxError('invalid_input', 'A tag is 1 to 40 characters.');
    if (next.tags.includes(tag)) throw new CruxError('invalid_input', `\`${market.slug}\` is already tagged ${tag}.`);
    if (next.tags.length >= MAX_TAGS) throw new CruxError('limit_reached', `A market has at most ${MAX_TAGS} tags.`);
    next.tags.push(tag);
  }
  return next;
}

/**
 * Careful edits: the creator may edit only while nobody else has traded; a moderator may edit any time before
 * settlement, giving a reason. Every changed field is recorded (who, when, old → new, why) and told to the thread and
 * the holders. A new close time is simply stored: the close job reads closes_at each run.
 */
export class MarketEditService {
  constructor(
    private readonly store: Store,
    private readonly evidenceStore: EvidenceStore,
    private readonly events: MarketEventSink = IGNORE_EVENTS,
  ) {}

  edit(command: EditCommand, context: Context): Result<{ market: Market; edits: MarketEdit[] }> {
    return runUseCase(this.store, context, () => {
      const market = requireMarket(this.store, context.realm, command.marketId);
      if (market.status === 'resolved' || market.status === 'cancelled') {
        throw new CruxError('market_settled', `\`${market.slug}\` is already ${market.status}; it can no longer be edited.`);
      }
      const reason = command.reason?.trim() || null;
      this.assertMayEdit(market, context, reason);
      const before: MarketTexts = { question: market.question, criteria: market.criteria, closesAt: market.closesAt, tags: market.tags };
      const after = editedTexts(market, command, context.now);
      const fields = (['question', 'criteria', 'closes_at', 'tags'] as const).filter((field) => shown(field, before) !== shown(field, after));
      if (fields.length === 0) throw new CruxError('invalid_input', 'That changes nothing: give a new question, criteria, close time or tag.');
      const edits = fields.map(
        (field): MarketEdit => ({ field, from: shown(field, before), to: shown(field, after), reason, editedBy: context.actor.userId, editedAt: context.now }),
      );
      this.evidenceStore.applyEdit(market.id, after);
      for (const edit of edits) this.evidenceStore.recordEdit(market.id, edit);
      const edited = requireMarketByKey(this.store, market.id);
      this.events({ kind: 'edited', market: edited, edits, at: context.now });
      return { market: edited, edits };
    });
  }

  private assertMayEdit(market: Market, context: Context, reason: string | null): void {
    if (context.actor.isModerator) {
      if (reason === null) throw new CruxError('invalid_input', 'A moderator’s edit needs a reason.');
      return;
    }
    if (market.createdBy !== context.actor.userId) throw new CruxError('not_moderator', 'Only the market’s creator or a moderator can edit it.');
    if (this.store.netPaid(market.id).some((trader) => trader.userId !== market.createdBy)) {
      throw new CruxError('not_moderator', 'Others have traded on this market, so only a moderator can edit it now (with a reason).');
    }
  }

  history(realm: RealmId, slug: string): { market: Market; edits: MarketEdit[] } {
    const market = requireMarket(this.store, realm, slug);
    return { market, edits: this.evidenceStore.edits(market.id) };
  }
}
