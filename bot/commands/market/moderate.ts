import { z } from 'zod';
import { formatCredits } from '../../../markets/money.ts';
import type { Settlement } from '../../../markets/service.ts';
import { plain, truncate } from '../../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, outcomeOption, parseOptions, requiredText, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

function settlementReply(settlement: Settlement, headline: string): Reply {
  const paid = settlement.paid
    .slice(0, 15)
    .map((p) => `<@${p.userId}> ${formatCredits(p.amount)}`)
    .join('\n');
  const more = settlement.paid.length > 15 ? `\n…and ${settlement.paid.length - 15} more` : '';
  return replyWith({
    cards: [
      {
        title: truncate(headline, 256),
        description: truncate(plain(settlement.market.question), 1000),
        color: settlement.market.status === 'resolved' ? 0x22c55e : 0x6b7280,
        fields: [
          { name: settlement.market.status === 'resolved' ? 'Payouts' : 'Refunds', value: paid === '' ? 'Nobody to pay.' : `${paid}${more}` },
          { name: 'Evidence', value: truncate(plain(settlement.market.resolution?.evidence ?? ''), 1024) },
        ],
        footer: `${settlement.market.id} · ${formatCredits(settlement.returned)} credits of subsidy returned`,
      },
    ],
    refreshMarkets: [settlement.market.id],
  });
}

export function closeMarket(invocation: Invocation, app: App): Reply {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const closed = unwrap(app.service.closeMarket(market, contextOf(invocation)));
  return replyWith({ content: `🔒 \`${closed.id}\` is closed for trading and awaits resolution.`, refreshMarkets: [closed.id] });
}

export function resolveMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(
    z.object({ market: marketOption, outcome: outcomeOption, evidence: requiredText('evidence (a URL or a short citation)', 1000) }),
    invocation,
  );
  const settlement = unwrap(app.service.resolveMarket(input.market, input.outcome, input.evidence, contextOf(invocation)));
  const winner = settlement.market.outcomes[settlement.market.resolution?.outcome ?? -1] ?? '?';
  return settlementReply(settlement, `✅ ${settlement.market.id} resolved ${plain(winner)}`);
}

export function cancelMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(z.object({ market: marketOption, reason: requiredText('reason', 1000) }), invocation);
  const settlement = unwrap(app.service.cancelMarket(input.market, input.reason, contextOf(invocation)));
  return settlementReply(settlement, `↩️ ${settlement.market.id} cancelled — trades refunded`);
}

export function linkSource(invocation: Invocation, app: App): Reply {
  const input = parseOptions(
    z.object({ market: marketOption, url: z.url({ protocol: /^https?$/, error: 'give an http(s) URL' }).max(500) }),
    invocation,
  );
  const market = unwrap(app.service.linkSource(input.market, { url: input.url, kind: 'url' }, contextOf(invocation)));
  return replyWith({ content: `🔗 Linked <${input.url}> to \`${market.id}\` as a resolution source.`, refreshMarkets: [market.id] });
}
