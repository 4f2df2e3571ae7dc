import { z } from 'zod';
import { MAX_DISPUTE_REASON } from '../../../markets/settlement/window.ts';
import { plain } from '../../render/format.ts';
import { disputeHolds, verdictOf } from '../../render/settlement-card.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions, requiredText, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

const options = z.object({
  market: marketOption,
  reason: requiredText('reason', MAX_DISPUTE_REASON),
  evidence: z.string().trim().max(1000, 'evidence must be at most 1000 characters').optional(),
});

/**
 * /market dispute: a trader challenges a resolution during its window. The money then stays put until a moderator
 * answers; the moderators are told by the settlement job (within a minute), from the recorded dispute.
 */
export function disputeResolution(invocation: Invocation, app: App): Reply {
  const input = parseOptions(options, invocation);
  const { market, settlement } = unwrap(app.settlements.dispute(input.market, input.reason, input.evidence, contextOf(invocation)));
  return replyWith({
    ephemeral: true,
    content: `⚖️ Your dispute of \`${market.slug}\` ${plain(verdictOf(market, settlement))} is recorded and goes to the moderators. Nothing is paid while it is open, ${disputeHolds(settlement)}.`,
    refreshMarkets: [market.id],
  });
}
