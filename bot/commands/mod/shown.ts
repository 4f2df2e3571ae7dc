import { z } from 'zod';
import { openDisputeCount } from '../../../markets/settlement/window.ts';
import type { ShownPending } from '../../../markets/settlement/types.ts';
import type { Invocation, OptionValue } from '../../reply.ts';
import { type App, marketOption, parseOptions } from '../command.ts';

/**
 * What a moderator's confirmation (of /mod resolve, cancel or uphold) showed pending, kept with the held command (see
 * Command.pin): the pending decision (0 for none) and its open disputes. Confirmed once that changed, the command
 * does nothing and says so, rather than act on a state the moderator never saw.
 */
const SHOWN_SETTLEMENT = 'shown_settlement';
const SHOWN_DISPUTES = 'shown_disputes';

/** The pinned options, for a command's own option schema. */
export const shownOptions = {
  [SHOWN_SETTLEMENT]: z.number().int().nonnegative().optional(),
  [SHOWN_DISPUTES]: z.number().int().nonnegative().optional(),
};

type Shown = { [SHOWN_SETTLEMENT]?: number | undefined; [SHOWN_DISPUTES]?: number | undefined };

/** What the confirmation shows pending of the market the command names. */
export function pinShown(invocation: Invocation, app: App): Record<string, OptionValue> {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const latest = app.views.market(invocation.realm, market).settlement;
  const pending = latest?.settlement.status === 'pending' ? latest : undefined;
  return { [SHOWN_SETTLEMENT]: pending?.settlement.id ?? 0, [SHOWN_DISPUTES]: pending === undefined ? 0 : openDisputeCount(pending.disputes) };
}

/** The pending decision a held resolution or cancellation showed; undefined when nothing was pinned (the console). */
export function shownPending(options: Shown): ShownPending | undefined {
  const id = options[SHOWN_SETTLEMENT];
  return id === undefined ? undefined : { pendingId: id === 0 ? null : id };
}

/** The decision and open disputes a held uphold showed; undefined when nothing was pinned. */
export function shownUphold(options: Shown): { settlementId: number; openDisputes: number } | undefined {
  const settlementId = options[SHOWN_SETTLEMENT];
  const openDisputes = options[SHOWN_DISPUTES];
  return settlementId === undefined || openDisputes === undefined ? undefined : { settlementId, openDisputes };
}
