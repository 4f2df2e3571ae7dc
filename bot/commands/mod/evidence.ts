import { z } from 'zod';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions, requiredText, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

/** /mod hide_evidence: spam leaves the card and the list; the item stays in the record with who hid it and why. */
export function hideEvidence(invocation: Invocation, app: App): Reply {
  const input = parseOptions(
    z.object({ market: marketOption, number: z.coerce.number({ error: 'give the evidence number' }).int().min(1), reason: requiredText('reason', 300) }),
    invocation,
  );
  const { market, item } = unwrap(app.evidence.hide(input.market, input.number, input.reason, contextOf(invocation)));
  return replyWith({ ephemeral: true, content: `🚫 Evidence #${item.number} of \`${market.slug}\` is hidden; it stays in the record.`, refreshMarkets: [market.id] });
}
