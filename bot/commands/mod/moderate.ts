import { z } from 'zod';
import { citedItems, type EvidenceItem } from '../../../markets/evidence/evidence.ts';
import { formatCredits } from '../../../markets/money.ts';
import type { Transfer } from '../../../markets/resolution/correction.ts';
import { platformName } from '../../../markets/resolution/decide.ts';
import type { Correction } from '../../../markets/resolution/service.ts';
import type { Settlement } from '../../../markets/service.ts';
import { plain, truncate } from '../../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, outcomeOption, parseOptions, requiredText, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

/** The public card of a settlement: who was paid what, and on what evidence (with the evidence items it cites). */
export function settlementReply(settlement: Settlement, headline: string, cited: readonly EvidenceItem[] = []): Reply {
  const paid = settlement.paid
    .slice(0, 15)
    .map((p) => `<@${p.userId}> ${formatCredits(p.amount)}`)
    .join('\n');
  const more = settlement.paid.length > 15 ? `\n…and ${settlement.paid.length - 15} more` : '';
  return replyWith({
    cards: [
      {
        title: truncate(headline, 256),
        description: truncate(plain(settlement.market.question), 1000),
        color: settlement.market.status === 'resolved' ? 0x22c55e : 0x6b7280,
        fields: [
          { name: settlement.market.status === 'resolved' ? 'Payouts' : 'Refunds', value: paid === '' ? 'Nobody to pay.' : `${paid}${more}` },
          { name: 'Evidence', value: truncate(plain(settlement.market.resolution?.evidence ?? ''), 1024) },
          ...(cited.length > 0 ? [{ name: 'Cited evidence', value: truncate(cited.map(citedLine).join('\n'), 1024) }] : []),
        ],
        footer: `${settlement.market.slug} · ${formatCredits(settlement.returned)} credits of subsidy returned`,
      },
    ],
    refreshMarkets: [settlement.market.id],
  });
}

function citedLine(item: EvidenceItem): string {
  return `#${item.number} ${item.stance} · <@${item.addedBy}> · <${item.url}>${item.note === null ? '' : ` — ${plain(item.note)}`}`;
}

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

export function resolveMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(
    z.object({ market: marketOption, outcome: outcomeOption, evidence: requiredText('evidence (a URL or a short citation)', 1000) }),
    invocation,
  );
  const cited = citedEvidence(app, invocation, input.market, input.evidence);
  const settlement = unwrap(app.service.resolveMarket(input.market, input.outcome, input.evidence, contextOf(invocation)));
  const winner = settlement.market.outcomes[settlement.market.resolution?.outcome ?? -1] ?? '?';
  return settlementReply(settlement, `✅ ${settlement.market.slug} resolved ${plain(winner)}`, cited);
}

export function cancelMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(z.object({ market: marketOption, reason: requiredText('reason', 1000) }), invocation);
  const cited = citedEvidence(app, invocation, input.market, input.reason);
  const settlement = unwrap(app.service.cancelMarket(input.market, input.reason, contextOf(invocation)));
  return settlementReply(settlement, `↩️ ${settlement.market.slug} cancelled — trades refunded`, cited);
}

export function linkSource(invocation: Invocation, app: App): Reply {
  const input = parseOptions(z.object({ market: marketOption, url: requiredText('url', 500) }), invocation);
  const market = unwrap(app.resolution.linkSource(input.market, input.url, contextOf(invocation)));
  const link = app.views.marketByKey(market.id)?.links.at(-1);
  const kind = link === undefined ? 'a source' : `a ${platformName(link.kind)} source`;
  return replyWith({
    content: `🔗 Linked <${link?.url ?? input.url}> to \`${market.slug}\` as ${kind}; Crux will check it and propose a resolution when it resolves.`,
    refreshMarkets: [market.id],
  });
}

/** The outcome option of /market correct also takes this word, to correct a resolution into a cancellation. */
export const CANCEL_CHOICE = 'cancel';

export function correctResolution(invocation: Invocation, app: App): Reply {
  const input = parseOptions(
    z.object({ market: marketOption, outcome: outcomeOption, evidence: requiredText('evidence (a URL or a short citation)', 1000) }),
    invocation,
  );
  const market = app.views.market(invocation.realm, input.market).market;
  const cancelling = input.outcome.toLowerCase() === CANCEL_CHOICE && !market.outcomes.some((name) => name.toLowerCase() === CANCEL_CHOICE);
  const target = cancelling ? { cancel: true as const } : { outcome: input.outcome };
  return correctionReply(unwrap(app.resolution.correctResolution(input.market, target, input.evidence, contextOf(invocation))));
}

function correctionReply(correction: Correction): Reply {
  const { market } = correction;
  const describe = (outcome: number | null) => (outcome === null ? 'cancelled' : `resolved ${market.outcomes[outcome] ?? '?'}`);
  const list = (transfers: Transfer[]) =>
    transfers.length === 0 ? 'Nobody.' : truncate(transfers.map((t) => `<@${t.userId}> ${formatCredits(t.amount)}`).join('\n'), 1024);
  return replyWith({
    cards: [
      {
        title: truncate(`✏️ ${market.slug}: ${describe(correction.previous.outcome)} → ${describe(market.resolution?.outcome ?? null)}`, 256),
        description: truncate(plain(market.question), 1000),
        color: 0xf59e0b,
        fields: [
          { name: 'Paid', value: list(correction.paid) },
          { name: 'Taken back', value: list(correction.clawedBack) },
          ...(correction.uncollected.length > 0
            ? [{ name: 'Already spent (covered by the mint)', value: list(correction.uncollected) }]
            : []),
          { name: 'Evidence', value: truncate(plain(market.resolution?.evidence ?? ''), 1024) },
        ],
        footer: `${market.slug} · every credit moved is on the ledger`,
      },
    ],
    refreshMarkets: [market.id],
  });
}
