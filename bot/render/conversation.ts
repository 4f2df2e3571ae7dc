import type { EvidenceItem, EvidenceTally } from '../../markets/evidence/evidence.ts';
import type { MarketEdit } from '../../markets/events.ts';
import type { Market } from '../../markets/market.ts';
import { formatCredits, formatShares } from '../../markets/money.ts';
import type { Notice } from '../../markets/notifications/notice.ts';
import { discordTime, percent, plain, truncate } from './format.ts';
import { DISCORD_LIMITS, shorten } from './limits.ts';

const STANCE_MARKS = { for: '🟢 for', against: '🔴 against', context: '⚪ context' } as const;

/** A link as members see it: inside <> Discord shows no preview, unless the server wants previews. */
export function link(url: string, previews: boolean): string {
  return previews ? url : `<${url}>`;
}

const FIELD_NAMES: Record<MarketEdit['field'], string> = { question: 'question', criteria: 'criteria', closes_at: 'close time', tags: 'tags' };

/** One notice as one line (or a few), for the thread and for DMs. */
export function noticeLine(notice: Notice, previews: boolean): string {
  switch (notice.kind) {
    case 'trade': {
      const verb = notice.side === 'buy' ? 'bought' : 'sold';
      return `💱 <@${notice.userId}> ${verb} ${formatShares(notice.shares)} ${plain(notice.outcome)} for ${formatCredits(notice.cash)} · ${percent(notice.before)} → ${percent(notice.after)}`;
    }
    case 'evidence': {
      const note = notice.note === null ? '' : ` — ${plain(notice.note)}`;
      return `📎 #${notice.number} ${STANCE_MARKS[notice.stance]} by <@${notice.userId}> at ${plain(notice.outcome)} ${percent(notice.priceThen)}: ${link(notice.url, previews)}${note}`;
    }
    case 'edit': {
      const reason = notice.reason === null ? '' : ` (${plain(notice.reason)})`;
      return `✏️ <@${notice.userId}> changed the ${FIELD_NAMES[notice.field]}: “${plain(truncate(notice.from, 300))}” → “${plain(truncate(notice.to, 300))}”${reason}`;
    }
    case 'proposal':
      return `🔎 Resolution proposal #${notice.proposalId}: the linked sources say **${plain(notice.verdict)}**; moderators decide.`;
    case 'pending': {
      const verdict = notice.outcome === null ? '⏳ Cancellation pending' : `⏳ Resolution **${plain(notice.outcome)}** pending`;
      const when = notice.windowEndsAt === null ? 'awaits a second moderator' : `dispute window ends ${discordTime(notice.windowEndsAt, 'R')}`;
      return `${verdict} · ${when} · nothing is paid until then.`;
    }
    case 'settled': {
      const verdict = notice.outcome === null ? '↩️ Cancelled — trades refunded' : `✅ Resolved **${plain(notice.outcome)}**`;
      const paid = notice.payees === 1 ? `${formatCredits(notice.paid)} credits paid` : `${formatCredits(notice.paid)} credits paid to ${notice.payees} traders`;
      return `${verdict} · ${paid} · evidence: ${plain(truncate(notice.evidence, 300))}`;
    }
    case 'closing':
      return `⏰ Closes ${discordTime(notice.closesAt, 'R')}.`;
    case 'moved':
      return `📈 ${plain(notice.outcome)} moved ${percent(notice.from)} → ${percent(notice.to)} within ${notice.hours} hours.`;
    case 'stale':
      return `🕰️ Closed and still unresolved after ${notice.days} days: ask a moderator to resolve it.`;
    case 'reason': {
      const text = /^https?:\/\/\S+$/.test(notice.text) ? link(notice.text, previews) : plain(notice.text);
      return `💬 <@${notice.userId}> on moving ${plain(notice.outcome)} ${percent(notice.before)} → ${percent(notice.after)}: ${text}`;
    }
  }
}

/** A settlement as a member's own DM line: what they were paid. */
function dmLine(notice: Notice, previews: boolean): string {
  if (notice.kind !== 'settled') return noticeLine(notice, previews);
  const verdict = notice.outcome === null ? '↩️ Cancelled — trades refunded' : `✅ Resolved **${plain(notice.outcome)}**`;
  const paid = notice.paid > 0 ? `you were paid ${formatCredits(notice.paid)} credits` : 'you were paid nothing';
  return `${verdict} · ${paid} · evidence: ${plain(truncate(notice.evidence, 300))}`;
}

/** One message of a DM, and how many of its notices it carries. */
export interface DmMessage {
  content: string;
  notices: number;
}

/** Where a DM's market lives, for a member of many servers: the server's name and the card, where known. */
export interface DmPlace {
  server?: string;
  cardUrl?: string;
}

/**
 * A DM about one market: the market and where it is, its notices in order, and how to stop them. Notices that do not
 * fit one message go on in the next, so none is lost (the settlement, with the payout, often comes last); the last
 * says how to stop.
 */
export function dmMessages(
  market: Pick<Market, 'slug' | 'question'>,
  notices: readonly Notice[],
  previews: boolean,
  /** What text becomes on its way to Discord (defused), so the packing measures what is sent. */
  sendable: (text: string) => string,
  place: DmPlace = {},
): DmMessage[] {
  const server = place.server === undefined ? '' : ` in **${plain(truncate(place.server, 100))}**`;
  const card = place.cardUrl === undefined ? '' : ` · [the card](${place.cardUrl})`;
  const header = sendable(`**${plain(truncate(market.question, 200))}** (\`${market.slug}\`)${server}${card}`);
  const off = sendable(`\n-# Turn these off with /notify in the server (or /market unfollow market:${market.slug}).`);
  const packed = packLines([header, ...notices.map((notice) => sendable(dmLine(notice, previews)))], DISCORD_LIMITS.content - off.length);
  return packed.map((message, index) => ({
    content: index === packed.length - 1 ? `${message.content}${off}` : message.content,
    notices: index === 0 ? message.lines - 1 : message.lines,
  }));
}

/** One message of packed lines, and how many of the lines it carries. */
export interface PackedMessage {
  content: string;
  lines: number;
}

/**
 * Lines packed, in order, into as few messages as Discord's 2000 characters allow. Give them as they will be sent
 * (defused): the limit holds for the text measured, and a message cut on its way would lose lines counted as sent.
 */
export function packLines(lines: readonly string[], limit: number = DISCORD_LIMITS.content): PackedMessage[] {
  const messages: PackedMessage[] = [];
  let current: PackedMessage = { content: '', lines: 0 };
  for (const line of lines.map((l) => shorten(l, limit))) {
    if (current.lines > 0 && current.content.length + 1 + line.length > limit) {
      messages.push(current);
      current = { content: '', lines: 0 };
    }
    current = { content: current.lines === 0 ? line : `${current.content}\n${line}`, lines: current.lines + 1 };
  }
  if (current.lines > 0) messages.push(current);
  return messages;
}

export function evidenceSummary(tally: EvidenceTally, previews: boolean): string {
  const counts = `${tally.for} for · ${tally.against} against · ${tally.context} context`;
  if (tally.latest === null) return counts;
  const latest = tally.latest;
  return truncate(`${counts}\nLatest: #${latest.number} ${STANCE_MARKS[latest.stance]} ${link(latest.url, previews)}${latest.note === null ? '' : ` — ${plain(latest.note)}`}`, DISCORD_LIMITS.fieldValue);
}

/** One line of /evidence list: stance, who, when, the price then and now. */
export function evidenceListLine(item: EvidenceItem, market: Market, pricesNow: readonly number[], previews: boolean): string {
  const outcome = plain(market.outcomes[0] ?? '?');
  const head = `**#${item.number}** ${STANCE_MARKS[item.stance]} · <@${item.addedBy}> ${discordTime(item.addedAt, 'R')} · ${outcome} ${percent(item.pricesThen[0] ?? 0)} then, ${percent(pricesNow[0] ?? 0)} now`;
  const body = `${link(item.url, previews)}${item.note === null ? '' : ` — ${plain(item.note)}`}`;
  const hidden = item.hidden === null ? '' : `\n  🚫 hidden by <@${item.hidden.by}>: ${plain(item.hidden.reason)}`;
  return `${head}\n${body}${hidden}`;
}
