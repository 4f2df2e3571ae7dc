import { z } from 'zod';
import { plain } from '../../render/format.ts';
import { settlementReply, verdictOf } from '../../render/settlement-card.ts';
import type { Invocation, OptionValue, Reply } from '../../reply.ts';
import { type App, marketOption, parseOptions, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';
import { openDisputeCount } from '../../../markets/settlement/window.ts';

/** The options `pinUphold` keeps with a held /mod uphold: the decision it showed, and how many disputes it overrules. */
const SHOWN_SETTLEMENT = 'shown_settlement';
const SHOWN_DISPUTES = 'shown_disputes';

/** What the confirmation of /mod uphold showed (see Command.pin); nothing when there is no pending decision to show. */
export function pinUphold(invocation: Invocation, app: App): Record<string, OptionValue> {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const latest = app.views.market(invocation.realm, market).settlement;
  if (latest?.settlement.status !== 'pending') return {};
  return { [SHOWN_SETTLEMENT]: latest.settlement.id, [SHOWN_DISPUTES]: openDisputeCount(latest.disputes) };
}

const upholdOptions = z.object({
  market: marketOption,
  [SHOWN_SETTLEMENT]: z.number().int().optional(),
  [SHOWN_DISPUTES]: z.number().int().optional(),
});

/** /mod uphold: the pending resolution stands; its window ends now, open disputes are overruled, and the money moves. */
export function upholdResolution(invocation: Invocation, app: App): Reply {
  const options = parseOptions(upholdOptions, invocation);
  const settlementId = options[SHOWN_SETTLEMENT];
  const openDisputes = options[SHOWN_DISPUTES];
  const shown = settlementId === undefined || openDisputes === undefined ? undefined : { settlementId, openDisputes };
  const settlement = unwrap(app.settlements.uphold(options.market, contextOf(invocation), shown));
  return settlementReply(
    settlement,
    `⚖️ ${settlement.market.slug} ${plain(verdictOf(settlement.market, settlement.record))}: upheld by a moderator, the money moved`,
  );
}
