import { CruxError } from '../../markets/errors.ts';
import { type EvidenceItem, itemsLinking } from '../../markets/evidence/evidence.ts';
import type { Market } from '../../markets/market.ts';
import type { Proposal } from '../../markets/resolution/store.ts';
import { type App, unwrap } from '../commands/command.ts';
import { settlementReply, verdictOf } from '../render/settlement-card.ts';
import { contextOf } from '../commands/trading.ts';
import { type Invocation, type Reply, replyWith } from '../reply.ts';

/** The market's evidence items that link the sources a proposal was decided on: what its resolution cites. */
export function evidenceBehind(app: App, proposal: Proposal, market: Market): EvidenceItem[] {
  const { items } = app.evidence.list(market.realm, market.slug, false);
  return itemsLinking(proposal.basis.map((reading) => reading.url), items);
}

/** Accept and Reject. */
export function handleProposalButton(customId: string, invocation: Invocation, app: App): Reply {
  const [, , action, idText] = customId.split(':');
  const proposalId = Number(idText);
  if (!Number.isInteger(proposalId) || proposalId <= 0 || (action !== 'accept' && action !== 'reject')) {
    throw new CruxError('invalid_input', 'That button is out of date.');
  }
  return decideProposal(action, proposalId, invocation, app);
}

/**
 * A moderator accepts or rejects a proposal, from its buttons or from the console. The engine refuses non-moderators
 * too; checking here first answers them before any work.
 */
export function decideProposal(action: 'accept' | 'reject', proposalId: number, invocation: Invocation, app: App): Reply {
  if (!invocation.actor.isModerator) throw new CruxError('not_moderator', 'Only moderators can decide resolution proposals.');
  if (action === 'accept') {
    const { proposal, settlement } = unwrap(app.resolution.acceptProposal(proposalId, contextOf(invocation)));
    if (settlement === undefined) throw new Error(`accepting proposal #${proposalId} settled nothing`);
    const reply = settlementReply(
      settlement,
      proposal.verdict === 'cancel'
        ? `↩️ ${settlement.market.slug} cancelled on the sources' word — trades refunded`
        : `✅ ${settlement.market.slug} ${verdictOf(settlement.market, settlement.record)} on the sources' word`,
      evidenceBehind(app, proposal, settlement.market),
    );
    return { ...reply, content: `Proposal #${proposal.id} accepted by <@${invocation.actor.userId}>.`, retiresControls: true };
  }
  const { proposal } = unwrap(app.resolution.rejectProposal(proposalId, contextOf(invocation)));
  const slug = app.views.marketByKey(proposal.marketId)?.market.slug ?? proposal.marketId;
  return replyWith({
    content: `❌ Proposal #${proposal.id} for \`${slug}\` rejected by <@${invocation.actor.userId}>; nothing was changed.`,
    retiresControls: true,
  });
}
