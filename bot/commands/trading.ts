import { createHash } from 'node:crypto';
import { creditsToMillis } from '../../markets/money.ts';
import type { Actor, BuyCommand, Context, SellCommand, TradeResult } from '../../markets/service.ts';
import { tradeCard } from '../render/trade-card.ts';
import { type Invocation, type Reply, replyWith } from '../reply.ts';
import { type App, unwrap } from './command.ts';
import { quietWhereAsked } from './quiet.ts';

/** The one path every bet takes, whether from /bet, a button's modal or the console. */
export function placeBet(app: App, invocation: Invocation, command: BuyCommand): Reply {
  return tradeReply(app, invocation, unwrap(app.service.buy(command, contextOf(invocation))));
}

export function placeSell(app: App, invocation: Invocation, command: SellCommand): Reply {
  return tradeReply(app, invocation, unwrap(app.service.sell(command, contextOf(invocation))));
}

/**
 * The trade's receipt: public, or private in a quiet channel (the thread has the trade's line). A trade that moved a
 * price by the server's threshold also asks its trader, privately, why (optional; the answer goes to the thread).
 */
function tradeReply(app: App, invocation: Invocation, result: TradeResult): Reply {
  const receipt = quietWhereAsked(app, invocation.realm, replyWith({ cards: [tradeCard(result, nameOf(invocation.actor))], refreshMarkets: [result.market.id] }));
  const { quote, market } = result;
  if (invocation.requestId.startsWith('console:') || !app.notifications.asksReason(invocation.realm, quote.pricesBefore, quote.pricesAfter)) return receipt;
  return {
    ...receipt,
    privateFollowUp: replyWith({
      ephemeral: true,
      content: '📣 That moved the price a lot. Want to say why in one line, or give an evidence link? It goes in the market’s thread beside your move. (Optional.)',
      actions: [[{ kind: 'button', id: `crux:reason:${market.slug}:${invocation.requestId}`, label: 'Give a reason', style: 'primary' }]],
    }),
  };
}

export function contextOf(invocation: Invocation): Context {
  return {
    realm: invocation.realm,
    actor: invocation.actor,
    now: invocation.now,
    requestId: invocation.requestId,
    fingerprint: fingerprintOf(invocation),
  };
}

/** What an invocation asks, in a short digest: where, the command, its subcommand and its options in a fixed order. */
function fingerprintOf({ realm, command, subcommand, options }: Invocation): string {
  const asked = JSON.stringify([realm, command, subcommand, Object.entries(options).filter(([, value]) => value !== undefined).toSorted(([a], [b]) => a.localeCompare(b))]);
  return createHash('sha256').update(asked).digest('base64url').slice(0, 22);
}

export function nameOf(actor: Actor): string {
  return actor.displayName ?? actor.userId;
}

/** Whole credits a user typed, as millis; never more than they asked for. */
export function spend(credits: number): number {
  return creditsToMillis(Math.floor(credits * 1000) / 1000);
}
