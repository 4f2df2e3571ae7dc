import type { Market } from '../../markets/market.ts';
import type { Proposal } from '../../markets/resolution/store.ts';
import { describeVerdict } from '../../markets/settlement/distribution.ts';
import { type Action, type Reply, replyWith } from '../reply.ts';
import { discordTime, plain, truncate } from './format.ts';

/** Handled by bot/components/proposals.ts. */
const PROPOSAL_PREFIX = 'crux:proposal';

export function proposalButtonId(action: 'accept' | 'reject', proposalId: number): string {
  return `${PROPOSAL_PREFIX}:${action}:${proposalId}`;
}

/** What an outcome proposal would resolve the market to: "Yes", or "to Yes 62% · No 38%". */
export function proposedVerdict(proposal: Proposal, market: Pick<Market, 'outcomes'>): string {
  return describeVerdict(market.outcomes, { outcome: proposal.outcome ?? -1, probabilities: proposal.probabilities ?? undefined });
}

function headline(proposal: Proposal, market: Market): string {
  switch (proposal.verdict) {
    case 'outcome':
      return `🔔 Sources say ${market.slug} resolved ${proposedVerdict(proposal, market)}`;
    case 'cancel':
      return `🔔 Sources say ${market.slug} was cancelled`;
    case 'conflict':
      return `⚠️ Sources disagree on ${market.slug}`;
    case 'report':
      return `📋 A source of ${market.slug} resolved in a way Crux cannot apply`;
  }
}

function whatNext(proposal: Proposal): string {
  if (proposal.verdict === 'conflict' || proposal.verdict === 'report') {
    return 'Nothing applies by itself: read the sources, then /mod resolve or /mod cancel.';
  }
  if (proposal.autoApplyAt !== null) {
    return `Applies itself ${discordTime(proposal.autoApplyAt, 'R')} unless a moderator rejects it; a moderator can also accept it now.`;
  }
  return 'A moderator accepts (the market resolves with this evidence) or rejects it.';
}

/** The message moderators get: what the sources said, and buttons to act on it. */
export function proposalMessage(proposal: Proposal, market: Market): Reply {
  const decidable = proposal.verdict === 'outcome' || proposal.verdict === 'cancel';
  const buttons: Action[] = [
    ...(decidable ? [{ kind: 'button' as const, id: proposalButtonId('accept', proposal.id), label: 'Accept', style: 'success' as const }] : []),
    { kind: 'button', id: proposalButtonId('reject', proposal.id), label: decidable ? 'Reject' : 'Dismiss', style: 'danger' },
  ];
  return replyWith({
    cards: [
      {
        title: truncate(headline(proposal, market), 256),
        description: truncate(plain(market.question), 1000),
        color: proposal.verdict === 'conflict' ? 0xef4444 : 0xf59e0b,
        fields: [
          { name: 'Evidence', value: truncate(proposal.evidence, 1024) },
          { name: 'What next', value: whatNext(proposal) },
        ],
        footer: `Proposal #${proposal.id} · ${market.slug}`,
      },
    ],
    actions: [buttons],
  });
}

/** A reminder that a market has waited too long for its resolution. */
export function nudgeMessage(market: Market): Reply {
  return replyWith({
    content: `⏰ \`${market.slug}\` closed ${discordTime(market.closedAt ?? market.closesAt, 'R')} and is still unresolved. Moderators: /mod resolve or /mod cancel.`,
  });
}
