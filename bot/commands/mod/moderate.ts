import { z } from 'zod';
import { citedItems, type EvidenceItem } from '../../../markets/evidence/evidence.ts';
import type { Market, Resolution } from '../../../markets/market.ts';
import { formatCredits } from '../../../markets/money.ts';
import type { Transfer } from '../../../markets/resolution/correction.ts';
import type { Correction, ResettledConditional } from '../../../markets/resolution/service.ts';
import { plain, truncate } from '../../render/format.ts';
import { settlementReply, verdictOf } from '../../render/settlement-card.ts';
import { type Card, type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, outcomeOption, parseOptions, requiredText, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';
import { shownOptions, shownPending } from './shown.ts';

/** The evidence items a moderator's citation names ("#2"), checked before anything is settled. */
function citedEvidence(app: App, invocation: Invocation, slug: string, citation: string): EvidenceItem[] {
  const { market, items } = app.evidence.list(invocation.realm, slug, false);
  return citedItems(citation, items, market.slug);
}

export function closeMarket(invocation: Invocation, app: App): Reply {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const closed = unwrap(app.service.closeMarket(market, contextOf(invocation)));
  return replyWith({ content: `🔒 \`${closed.slug}\` is closed for trading and awaits resolution.`, refreshMarkets: [closed.id] });
}

/** The options that split a resolution to a probability (markets/settlement/distribution.ts checks what they say). */
const splitOptions = {
  probability: z.coerce.number({ error: 'probability must be a whole percent from 0 to 100' }).optional(),
  probabilities: z.string().trim().max(1000, 'probabilities must be at most 1000 characters').optional(),
};

/** What /mod resolve and /mod correct take; their confirmation (confirm.ts) reads the same. */
export const verdictOptions = z.object({ market: marketOption, outcome: outcomeOption, evidence: requiredText('evidence (a URL or a short citation)', 1000), ...splitOptions });
export type VerdictOptions = z.output<typeof verdictOptions>;

/** What /mod cancel takes, and its confirmation reads. */
export const cancelOptions = z.object({ market: marketOption, reason: requiredText('reason', 1000) });

export function resolveMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(verdictOptions.extend(shownOptions), invocation);
  const cited = citedEvidence(app, invocation, input.market, input.evidence);
  const split = { probability: input.probability, probabilities: input.probabilities };
  const settlement = unwrap(app.service.resolveMarket(input.market, input.outcome, input.evidence, contextOf(invocation), split, shownPending(input)));
  return settlementReply(settlement, `✅ ${settlement.market.slug} ${plain(verdictOf(settlement.market, settlement.record))}`, cited);
}

export function cancelMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(cancelOptions.extend(shownOptions), invocation);
  const cited = citedEvidence(app, invocation, input.market, input.reason);
  const settlement = unwrap(app.service.cancelMarket(input.market, input.reason, contextOf(invocation), shownPending(input)));
  return settlementReply(settlement, `↩️ ${settlement.market.slug} cancelled — trades refunded`, cited);
}

/** The outcome option of /mod correct also takes this word, to correct a resolution into a cancellation. */
export const CANCEL_CHOICE = 'cancel';

/** Whether /mod correct's outcome means cancelling: the word, unless the market has an outcome of that name. */
export function correctsToCancel(market: Pick<Market, 'outcomes'>, outcome: string): boolean {
  return outcome.toLowerCase() === CANCEL_CHOICE && !market.outcomes.some((name) => name.toLowerCase() === CANCEL_CHOICE);
}

export function correctResolution(invocation: Invocation, app: App): Reply {
  const input = parseOptions(verdictOptions, invocation);
  const market = app.views.market(invocation.realm, input.market).market;
  const cancelling = correctsToCancel(market, input.outcome);
  const target = cancelling ? { cancel: true as const } : { outcome: input.outcome, split: { probability: input.probability, probabilities: input.probabilities } };
  return correctionReply(unwrap(app.resolution.correctResolution(input.market, target, input.evidence, contextOf(invocation))));
}

/** How a correction's re-settled conditional is announced in its own channel. */
function resettledCard(change: ResettledConditional, list: (transfers: Transfer[]) => string): Card {
  const { market } = change;
  const cancelled = change.action === 'cancel';
  return {
    title: truncate(cancelled ? `↩️ ${market.slug} cancelled — its condition was corrected` : `🔁 ${market.slug} trades again — its condition was corrected`, 256),
    description: truncate(plain(market.question), 1000),
    color: cancelled ? 0x6b7280 : 0x3b82f6,
    fields: cancelled
      ? [{ name: 'Refunds', value: list(change.paid) }, { name: 'Why', value: truncate(plain(market.resolution?.evidence ?? ''), 1024) }]
      : [{ name: 'Refunds taken back', value: list(change.clawedBack) }],
    footer: `${market.slug} · every credit moved is on the ledger`,
  };
}

function correctionReply(correction: Correction): Reply {
  const { market } = correction;
  const describe = (verdict: Pick<Resolution, 'outcome' | 'probabilities'> | null) => verdictOf(market, verdict ?? { outcome: null });
  const list = (transfers: Transfer[]) =>
    transfers.length === 0 ? 'Nobody.' : truncate(transfers.map((t) => `<@${t.userId}> ${formatCredits(t.amount)}`).join('\n'), 1024);
  return replyWith({
    cards: [
      {
        title: truncate(`✏️ ${market.slug}: ${describe(correction.previous)} → ${describe(market.resolution)}`, 256),
        description: truncate(plain(market.question), 1000),
        color: 0xf59e0b,
        fields: [
          { name: 'Paid', value: list(correction.paid) },
          { name: 'Taken back', value: list(correction.clawedBack) },
          ...(correction.uncollected.length > 0
            ? [{ name: 'Already spent (covered by the mint)', value: list(correction.uncollected) }]
            : []),
          { name: 'Evidence', value: truncate(plain(market.resolution?.evidence ?? ''), 1024) },
          ...(correction.conditionals.length > 0
            ? [{ name: 'Conditional markets re-settled', value: truncate(correction.conditionals.map((c) => `\`${c.market.slug}\` ${c.action === 'cancel' ? 'cancelled' : 'trades again'}`).join('\n'), 1024) }]
            : []),
        ],
        footer: `${market.slug} · every credit moved is on the ledger`,
      },
    ],
    refreshMarkets: [market.id, ...correction.conditionals.map((c) => c.market.id)],
    alsoPost: correction.conditionals.flatMap((change) =>
      change.market.channelId === null ? [] : [{ channelId: change.market.channelId, cards: [resettledCard(change, list)] }],
    ),
  });
}
