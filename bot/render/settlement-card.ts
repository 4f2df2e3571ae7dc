import type { EvidenceItem } from '../../markets/evidence/evidence.ts';
import { CONDITION_RESOLVER } from '../../markets/cruxes/conditions.ts';
import type { Market } from '../../markets/market.ts';
import { formatCredits } from '../../markets/money.ts';
import { awaitsSecond, type DisputeNotice } from '../../markets/settlement/service.ts';
import { describeVerdict } from '../../markets/settlement/distribution.ts';
import type { Settlement, SettlementDecision, SettlementRecord } from '../../markets/settlement/types.ts';
import type { Card, CardField, Reply } from '../reply.ts';
import { replyWith } from '../reply.ts';
import { discordTime, plain, truncate } from './format.ts';

const PAYEES_SHOWN = 15;

/** What a settlement decides, in words: "resolved Yes", "resolved to Yes 70% · No 30%" or "cancelled". */
export function verdictOf(market: Pick<Market, 'outcomes'>, verdict: Pick<SettlementDecision, 'outcome' | 'probabilities'>): string {
  const { outcome, probabilities } = verdict;
  return outcome === null ? 'cancelled' : `resolved ${describeVerdict(market.outcomes, { outcome, probabilities })}`;
}

/** Who decided, and whether they held a position in the market when they did. */
export function deciderLine(record: SettlementRecord): string {
  if (record.decidedBy === CONDITION_RESOLVER) return deciderName(record.decidedBy);
  return `<@${record.decidedBy}>${record.deciderHeldPosition ? ' (held a position in this market when deciding)' : ' (held no position)'}`;
}

/** A member's mention, or, for a conditional its condition settled, what did it. */
export function deciderName(userId: string): string {
  return userId === CONDITION_RESOLVER ? "its condition's settlement" : `<@${userId}>`;
}

/** When a pending settlement pays, in words. */
function whenPaid(record: SettlementRecord): string {
  if (awaitsSecond(record)) return 'Awaits a second moderator (the pool is above the quorum): nothing is paid before another moderator resolves it the same way.';
  return `Money moves ${discordTime(record.windowEndsAt, 'f')} (${discordTime(record.windowEndsAt, 'R')}) unless a trader disputes it with \`/market dispute\`; trading has stopped.`;
}

/** How long an open dispute holds a pending settlement's money, in words: past its window, or past its second's confirmation. */
export function disputeHolds(record: SettlementRecord): string {
  return awaitsSecond(record) ? 'even once a second moderator confirms it (it awaits one)' : `even after ${discordTime(record.windowEndsAt, 'f')}`;
}

/** The fields a market card shows for its settlement waiting out its window. */
export function pendingFields(market: Market, record: SettlementRecord, disputes: number): CardField[] {
  const seconded = record.secondedBy === null ? '' : `, confirmed by <@${record.secondedBy}>`;
  return [
    {
      name: 'Pending resolution',
      value: truncate(
        `**${plain(verdictOf(market, record))}** by ${deciderLine(record)}${seconded}\nEvidence: ${plain(record.evidence)}\n${whenPaid(record)}${disputes > 0 ? `\n${disputes} dispute(s) so far.` : ''}`,
        1024,
      ),
    },
  ];
}

function citedLine(item: EvidenceItem): string {
  return `#${item.number} ${item.stance} · <@${item.addedBy}> · <${item.url}>${item.note === null ? '' : ` — ${plain(item.note)}`}`;
}

/**
 * The public card of a settlement: who is (or was) paid what, on what evidence (with the evidence items it cites), and when a pending one pays. The
 * conditionals its applying cancelled are named on it, and each one's holders are told with that market's own refund
 * card in its channel.
 */
export function settlementReply(settlement: Settlement, headline: string, cited: readonly EvidenceItem[] = []): Reply {
  const conditionals = settlement.cancelledConditionals;
  const card = settlementCard(settlement, headline, cited);
  if (conditionals.length > 0) {
    card.fields = [...(card.fields ?? []), { name: 'Conditional markets cancelled', value: truncate(conditionals.map((c) => `\`${c.market.slug}\``).join(', '), 1024) }];
  }
  return replyWith({
    cards: [card],
    refreshMarkets: [settlement.market.id, ...conditionals.map((c) => c.market.id)],
    alsoPost: conditionals.flatMap((conditional) =>
      conditional.market.channelId === null
        ? []
        : [{ channelId: conditional.market.channelId, cards: [settlementCard(conditional, conditionalHeadline(conditional.market))] }],
    ),
  });
}

/**
 * A conditional its condition's settlement cancelled, as the job posts it once the condition's window ended: to the
 * moderators, and to its holders in its own channel.
 */
export function conditionalReply(settlement: Settlement): Reply {
  const reply = settlementReply(settlement, conditionalHeadline(settlement.market));
  const { channelId } = settlement.market;
  return channelId === null ? reply : { ...reply, alsoPost: [...(reply.alsoPost ?? []), { channelId, cards: reply.cards }] };
}

/** How a conditional its condition's settlement cancelled is announced. */
export function conditionalHeadline(market: Pick<Market, 'slug'>): string {
  return `↩️ ${market.slug} cancelled — its condition did not hold`;
}

function settlementCard(settlement: Settlement, headline: string, cited: readonly EvidenceItem[] = []): Card {
  const { market, record } = settlement;
  const pending = record.status === 'pending';
  const paid = settlement.paid
    .slice(0, PAYEES_SHOWN)
    .map((p) => `<@${p.userId}> ${formatCredits(p.amount)}`)
    .join('\n');
  const more = settlement.paid.length > PAYEES_SHOWN ? `\n…and ${settlement.paid.length - PAYEES_SHOWN} more` : '';
  const refunds = record.outcome === null;
  const fields: CardField[] = [
    { name: `${refunds ? 'Refunds' : 'Payouts'}${pending ? ' when the window ends' : ''}`, value: paid === '' ? 'Nobody to pay.' : `${paid}${more}` },
    { name: 'Evidence', value: truncate(plain(record.evidence), 1024) },
    ...(cited.length > 0 ? [{ name: 'Cited evidence', value: truncate(cited.map(citedLine).join('\n'), 1024) }] : []),
    { name: 'Decided by', value: deciderLine(record) },
  ];
  if (record.secondedBy !== null) fields.push({ name: 'Confirmed by', value: `<@${record.secondedBy}>` });
  if (pending) fields.push({ name: awaitsSecond(record) ? 'Quorum' : 'Dispute window', value: whenPaid(record) });
  return {
    title: truncate(pending ? `⏳ ${headline} — pending` : headline, 256),
    description: truncate(plain(market.question), 1000),
    color: pending ? 0xf59e0b : refunds ? 0x6b7280 : 0x22c55e,
    fields,
    footer: `${market.slug} · ${formatCredits(settlement.returned)} credits of subsidy ${pending ? 'to return' : 'returned'}`,
  };
}

/** What the moderators are told when a trader disputes a pending settlement. */
export function disputeMessage(notice: DisputeNotice): Reply {
  const { dispute, market, settlement } = notice;
  return replyWith({
    cards: [
      {
        title: truncate(`⚖️ ${market.slug}: a trader disputes "${verdictOf(market, settlement)}"`, 256),
        description: truncate(plain(market.question), 1000),
        color: 0xef4444,
        fields: [
          { name: 'Disputed by', value: `<@${dispute.userId}> (dispute ${notice.count} of this resolution)` },
          { name: 'Reason', value: truncate(plain(dispute.reason), 1024) },
          ...(dispute.evidence === null ? [] : [{ name: 'Their evidence', value: truncate(plain(dispute.evidence), 1024) }]),
          { name: 'The resolution', value: truncate(`${deciderLine(settlement)}\nEvidence: ${plain(settlement.evidence)}`, 1024) },
          {
            name: 'What next',
            value: `Money stays put while a dispute is open, ${disputeHolds(settlement)}. A moderator upholds it (\`/mod uphold\`: money moves now), resolves it again to another outcome (a new window), or cancels the market.`,
          },
        ],
        footer: `${market.slug} · settlement #${settlement.id}`,
      },
    ],
  });
}
