import { z } from 'zod';
import { isCruxError } from '../../../markets/errors.ts';
import { type Market, outcomeIndex } from '../../../markets/market.ts';
import type { Millis } from '../../../markets/money.ts';
import { describeVerdict, type ResolvedTo, resolvedFromSplit, sameVerdict } from '../../../markets/settlement/distribution.ts';
import { awaitsSecond, describePosition } from '../../../markets/settlement/service.ts';
import type { SettlementRecord } from '../../../markets/settlement/types.ts';
import { formatCredits } from '../../../markets/money.ts';
import { plain, truncate } from '../../render/format.ts';
import { verdictOf } from '../../render/settlement-card.ts';
import type { Card, Invocation } from '../../reply.ts';
import { type App, marketOption, parseOptions } from '../command.ts';
import { cancelOptions, correctsToCancel, type VerdictOptions, verdictOptions } from './moderate.ts';
import { openDisputeCount } from '../../../markets/settlement/window.ts';

/** What a resolve (to an outcome, or split to a probability) names. */
function resolvedOf(market: Market, options: VerdictOptions): ResolvedTo {
  return resolvedFromSplit(market, outcomeIndex(market, options.outcome), { probability: options.probability, probabilities: options.probabilities });
}

/** The verdict a resolve or cancel names; outcome null for cancelling. */
type Target = { outcome: number | null; probabilities?: readonly number[] | undefined };

/** How this decision relates to one already waiting: it confirms it as the second moderator, or replaces it. */
function pendingNote(market: Market, pending: SettlementRecord | undefined, target: Target, invocation: Invocation, quorumPool: Millis): string {
  if (pending !== undefined && awaitsSecond(pending) && sameVerdict(pending, target) && pending.decidedBy !== invocation.actor.userId) {
    return `This confirms <@${pending.decidedBy}>'s pending decision as the second moderator.`;
  }
  const quorum = quorumPool > 0 && market.pool >= quorumPool ? 'The pool is above the quorum: a second moderator must then resolve it the same way before any money moves.' : '';
  return [pending === undefined ? '' : `This replaces the pending decision (${verdictOf(market, pending)}) and starts a new window.`, quorum].filter((line) => line !== '').join(' ');
}

/**
 * What resolving or cancelling would do, shown before it is done: both pay out and cannot be taken back by
 * trading. Undefined when there is nothing to confirm — the command itself then explains what is wrong.
 */
export function settlementConfirmation(invocation: Invocation, app: App): Card | undefined {
  if (!invocation.actor.isModerator) return undefined;
  if (!['resolve', 'cancel', 'correct', 'uphold'].includes(invocation.subcommand ?? '')) return undefined;
  try {
    // Parsed as the command parses them: options it would refuse leave nothing to confirm, and it says why.
    const asked = parseOptions(z.object({ market: marketOption }), invocation);
    const { market } = app.views.market(invocation.realm, asked.market);
    const settled = market.status === 'resolved' || market.status === 'cancelled';
    if (invocation.subcommand === 'correct') {
      if (!settled) return undefined;
      const options = parseOptions(verdictOptions, invocation);
      const to = correctsToCancel(market, options.outcome) ? 'cancelled (refunds)' : describeVerdict(market.outcomes, resolvedOf(market, options));
      return {
        title: truncate(`Correct ${market.slug} to ${to}?`, 256),
        description: truncate(
          `${plain(market.question)}\n\nThe payouts already made are reversed on the ledger and the corrected ones paid: a trader who spent a payout keeps what they spent (balances never go below zero).\n**Evidence:** ${plain(options.evidence)}`,
          4000,
        ),
        color: 0xf59e0b,
      };
    }
    if (settled) return undefined;
    const latest = app.views.market(invocation.realm, market.slug).settlement;
    const pending = latest?.settlement.status === 'pending' ? latest.settlement : undefined;
    if (invocation.subcommand === 'uphold') {
      if (pending === undefined) return undefined;
      const open = openDisputeCount(latest?.disputes ?? []);
      return {
        title: truncate(`Uphold ${market.slug} ${verdictOf(market, pending)} and pay it out now?`, 256),
        description: truncate(
          `${plain(market.question)}

The dispute window ends now${open > 0 ? ` and ${open} open dispute(s) are overruled` : ''}; the money moves for good (only /mod correct can change it after).
**Evidence:** ${plain(pending.evidence)}`,
          4000,
        ),
        color: 0xf59e0b,
      };
    }
    const { disputeWindowHours: hours, recusalRequired, quorumPool } = app.realms.values(invocation.realm);
    const position = app.settlements.positionOf(market, invocation.actor.userId, invocation.now);
    // Refused outright: the command itself says why, with nothing to confirm.
    if (position !== null && recusalRequired) return undefined;
    const verdict = invocation.subcommand === 'resolve' ? parseOptions(verdictOptions, invocation) : undefined;
    const resolved = verdict === undefined ? undefined : resolvedOf(market, verdict);
    const target: Target = resolved ?? { outcome: null };
    if (pending !== undefined && awaitsSecond(pending) && pending.decidedBy === invocation.actor.userId && sameVerdict(pending, target)) return undefined;
    const when = [
      position === null ? '' : `⚠️ **${describePosition('this market', position)}**: the settlement records that its decider held a position, and shows it.`,
      pendingNote(market, pending, target, invocation, quorumPool),
      hours === 0 ? 'The money moves at once.' : `Trading stops now; the money moves after a dispute window of ${hours} h, unless a trader disputes it.`,
    ].filter((line) => line !== '').join(' ');
    const holdings = app.views.holdings(market.id);
    if (verdict !== undefined && resolved !== undefined) {
      const owed = app.settlements.owed(market, resolved);
      const total = owed.reduce((sum, payment) => sum + payment.amount, 0);
      const to = resolved.probabilities === undefined ? `holder(s) of ${plain(market.outcomes[resolved.outcome] ?? '')}` : 'holder(s)';
      return {
        title: truncate(`Resolve ${market.slug} ${resolved.probabilities === undefined ? 'as ' : ''}${describeVerdict(market.outcomes, resolved)}?`, 256),
        description: truncate(
          `${plain(market.question)}\n\nThis pays **${formatCredits(total)} credits** to ${owed.length} ${to}. ${when}\n**Evidence:** ${plain(verdict.evidence)}`,
          4000,
        ),
        color: 0xf59e0b,
      };
    }
    const { reason } = parseOptions(cancelOptions, invocation);
    const traders = new Set(holdings.map((h) => h.userId)).size;
    return {
      title: truncate(`Cancel ${market.slug}?`, 256),
      description: truncate(
        `${plain(market.question)}\n\nEvery trader (${traders} holding shares now) gets back what they paid in minus what they took out. ${when}\n**Reason:** ${plain(reason)}`,
        4000,
      ),
      color: 0xf59e0b,
    };
  } catch (error) {
    if (isCruxError(error)) return undefined;
    throw error;
  }
}
