import type { Market } from '../../markets/market.ts';
import { formatCredits, formatShares } from '../../markets/money.ts';
import type { TradeResult } from '../../markets/service.ts';
import type { Card } from '../reply.ts';
import { percent, plain, truncate } from './format.ts';

export function tradeCard(result: TradeResult, traderName: string): Card {
  const { quote, market } = result;
  const outcome = plain(market.outcomes[quote.outcome] ?? '?');
  const verb = quote.side === 'buy' ? 'bought' : 'sold';
  const money = quote.side === 'buy' ? 'for' : 'and received';
  return {
    title: `${plain(traderName)} ${verb} ${formatShares(quote.shares)} ${outcome} shares`,
    description: truncate(plain(market.question), 300),
    color: quote.side === 'buy' ? 0x22c55e : 0xf97316,
    fields: [
      { name: quote.side === 'buy' ? 'Paid' : 'Received', value: `${formatCredits(quote.cash)} credits`, inline: true },
      { name: 'Average price', value: quote.averagePrice.toFixed(3), inline: true },
      {
        name: `${outcome} price`,
        value: `${percent(quote.pricesBefore[quote.outcome] ?? 0)} → **${percent(quote.pricesAfter[quote.outcome] ?? 0)}**`,
        inline: true,
      },
      { name: 'Holding', value: `${formatShares(result.position)} ${outcome}`, inline: true },
      { name: 'Balance', value: `${formatCredits(result.balance)} credits`, inline: true },
      ...(result.repaid > 0
        ? [{ name: 'Refund paid back', value: `${formatCredits(result.repaid)} credits of this sale repay the refund you had spent when this market was cancelled and then reinstated` }]
        : []),
    ],
    footer: `${market.slug} · ${money === 'for' ? 'shares pay 1 credit each if this outcome wins' : 'sold back to the market maker'}`,
  };
}

export function outcomeName(market: Market, index: number): string {
  return plain(market.outcomes[index] ?? `#${index + 1}`);
}
