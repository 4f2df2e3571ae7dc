import { z } from 'zod';
import { plain } from '../../render/format.ts';
import { settlementReply, verdictOf } from '../../render/settlement-card.ts';
import type { Invocation, Reply } from '../../reply.ts';
import { type App, marketOption, parseOptions, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';
import { shownOptions, shownUphold } from './shown.ts';

const upholdOptions = z.object({ market: marketOption, ...shownOptions });

/** /mod uphold: the pending resolution stands; its window ends now, open disputes are overruled, and the money moves. */
export function upholdResolution(invocation: Invocation, app: App): Reply {
  const options = parseOptions(upholdOptions, invocation);
  const settlement = unwrap(app.settlements.uphold(options.market, contextOf(invocation), shownUphold(options)));
  return settlementReply(
    settlement,
    `⚖️ ${settlement.market.slug} ${plain(verdictOf(settlement.market, settlement.record))}: upheld by a moderator, the money moved`,
  );
}
