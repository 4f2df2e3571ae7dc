import { createHash } from 'node:crypto';
import { creditsToMillis } from '../../markets/money.ts';
import type { Actor, BuyCommand, Context, SellCommand } from '../../markets/service.ts';
import { tradeCard } from '../render/trade-card.ts';
import { type Invocation, type Reply, replyWith } from '../reply.ts';
import { type App, unwrap } from './command.ts';

/** The one path every bet takes, whether from /bet, a button's modal or the console. */
export function placeBet(app: App, invocation: Invocation, command: BuyCommand): Reply {
  const result = unwrap(app.service.buy(command, contextOf(invocation)));
  return replyWith({ cards: [tradeCard(result, nameOf(invocation.actor))], refreshMarkets: [result.market.id] });
}

export function placeSell(app: App, invocation: Invocation, command: SellCommand): Reply {
  const result = unwrap(app.service.sell(command, contextOf(invocation)));
  return replyWith({ cards: [tradeCard(result, nameOf(invocation.actor))], refreshMarkets: [result.market.id] });
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
