import type { Resolution } from '../../markets/market.ts';
import type { SettlementRecord } from '../../markets/settlement/types.ts';
import { formatCredits } from '../../markets/money.ts';
import { platformName } from '../../markets/resolution/decide.ts';
import type { MarketView } from '../../markets/views.ts';
import type { Action, Card } from '../reply.ts';
import { evidenceSummary } from './conversation.ts';
import { discordTime, percent, plain, priceBar, truncate } from './format.ts';
import { DISCORD_LIMITS, fieldsOfLines, shorten } from './limits.ts';
import { describeVerdict, sameVerdict } from '../../markets/settlement/distribution.ts';
import { deciderLine, deciderName, pendingFields } from './settlement-card.ts';
import { openDisputeCount } from '../../markets/settlement/window.ts';

const STATUS_COLORS = { open: 0x3b82f6, closed: 0xf59e0b, resolved: 0x22c55e, cancelled: 0x6b7280 } as const;

/** `sources`: one line per link to show instead of the bare links (`/market show` adds each one's last check). */
export function marketCard(view: MarketView, sources?: readonly string[]): Card {
  const { market, prices, stats, links, condition, outside } = view;
  const outcomeLines = market.outcomes.map((name, i) => {
    const price = prices[i] ?? 0;
    const won = market.resolution?.outcome === i && market.resolution.probabilities === undefined ? ' ✅' : '';
    return `\`${priceBar(price)}\` **${percent(price)}** ${plain(name)}${won}`;
  });
  const fields = [
    ...(condition === null
      ? []
      : [{ name: 'Conditional on', value: `\`${condition.slug}\` resolving ${plain(condition.outcome)}; cancelled with refunds otherwise` }]),
    // Twenty long outcome names overflow one field's 1,024 characters; they go on in further fields, all shown.
    ...fieldsOfLines('Prices', outcomeLines),
    { name: 'Volume', value: `${formatCredits(stats.volume)} credits`, inline: true },
    { name: 'Traders', value: String(stats.traders), inline: true },
    {
      name: market.status === 'open' ? 'Closes' : 'Closed',
      value: discordTime(market.closedAt ?? market.closesAt, 'R'),
      inline: true,
    },
  ];
  if (outside.length > 0) fields.push({ name: 'Outside odds', value: outsideLine(view) });
  if (links.length > 0) {
    fields.push({ name: 'Sources', value: shorten((sources ?? links.map((link) => `<${link.url}>`)).join('\n'), DISCORD_LIMITS.fieldValue) });
  }
  const { conversation } = view;
  if (conversation !== undefined && conversation.evidence.latest !== null) {
    // Card fields are embeds, which never preview links: the brackets only keep the text the same everywhere.
    fields.push({ name: 'Evidence', value: evidenceSummary(conversation.evidence, false) });
  }
  if (conversation?.threadId) fields.push({ name: 'Discussion', value: `<#${conversation.threadId}>`, inline: true });
  const latest = view.settlement;
  if (latest?.settlement.status === 'pending') fields.push(...pendingFields(market, latest.settlement, openDisputeCount(latest.disputes)));
  if (market.resolution) {
    const verdict =
      market.resolution.outcome === null
        ? 'Cancelled — trades refunded'
        : `Resolved **${plain(describeVerdict(market.outcomes, { outcome: market.resolution.outcome, probabilities: market.resolution.probabilities }))}**`;
    fields.push({
      name: 'Resolution',
      value: truncate(
        `${verdict} by ${deciderOf(market.resolution, latest?.settlement)} ${discordTime(market.resolution.at, 'R')}\nEvidence: ${plain(market.resolution.evidence)}`,
        1024,
      ),
    });
  }
  return {
    title: truncate(market.question, 256),
    description: truncate(`**Resolves:** ${plain(market.criteria)}`, 4000),
    color: STATUS_COLORS[market.status],
    fields,
    footer: `${market.slug} · ${latest?.settlement.status === 'pending' ? 'settling' : market.status} · liquidity ${market.liquidity}${conversation !== undefined && conversation.edits > 0 ? ' · edited (/market history)' : ''}`,
  };
}

/**
 * "Manifold 38% · Polymarket 41% · 2 hours ago": each platform's probability of the market's first outcome (of the
 * outcome Crux leads with, named, when there are more than two), as of the oldest of the readings shown.
 */
function outsideLine({ market, prices, outside }: MarketView): string {
  const shown = market.outcomes.length === 2 ? 0 : prices.indexOf(Math.max(...prices));
  const named = market.outcomes.length === 2 ? '' : ` ${plain(market.outcomes[shown] ?? '')}`;
  const odds = outside.map((reading) => `${platformName(reading.kind)} ${percent(reading.probabilities[shown] ?? 0, 0)}${named}`);
  const oldest = Math.min(...outside.map((reading) => reading.at));
  return truncate(`${odds.join(' · ')} · ${discordTime(oldest, 'R')}`, 1024);
}

/** The decider, and whether they held a position, when the resolution shown is the recorded settlement (not a later correction). */
function deciderOf(resolution: Resolution, settlement: SettlementRecord | undefined): string {
  const recorded = settlement?.status === 'applied' && sameVerdict(settlement, resolution) && settlement.decidedBy === resolution.decidedBy;
  return settlement !== undefined && recorded ? deciderLine(settlement) : deciderName(resolution.decidedBy);
}

/** Buttons to bet on each outcome of a binary market, or one select for many outcomes. */
export function marketActions(view: MarketView): Action[][] {
  const { market } = view;
  if (market.status !== 'open') return [];
  if (market.outcomes.length <= 4) {
    return [
      market.outcomes.map((name, i) => ({
        kind: 'button' as const,
        id: `crux:bet:${market.slug}:${i}`,
        label: truncate(`Bet ${name}`, 80),
        style: i === 0 ? ('success' as const) : i === 1 && market.outcomes.length === 2 ? ('danger' as const) : ('primary' as const),
      })),
    ];
  }
  return [
    [
      {
        kind: 'select',
        id: `crux:betselect:${market.slug}`,
        placeholder: 'Bet on an outcome…',
        options: market.outcomes.map((name, i) => ({
          label: truncate(name, 100),
          value: String(i),
          description: percent(view.prices[i] ?? 0),
        })),
      },
    ],
  ];
}

export function marketLine(view: MarketView): string {
  const { market, prices } = view;
  const leader = prices.indexOf(Math.max(...prices));
  return `\`${market.slug}\` — ${plain(truncate(market.question, 90))}\n  ${market.status} · ${plain(market.outcomes[leader] ?? '')} ${percent(prices[leader] ?? 0)} · closes ${discordTime(market.closesAt, 'R')}`;
}
