import type { Market } from '../../markets/market.ts';
import { platformName } from '../../markets/resolution/decide.ts';
import type { FailureReport, LinkStatus } from '../../markets/resolution/source-status.ts';
import type { MarketLink } from '../../markets/store.ts';
import { type Reply, replyWith } from '../reply.ts';
import { discordTime, plain } from './format.ts';

/** What the last check of a link found, in words: ok when, or failing since when and why. */
export function checkStatusText(status: LinkStatus | undefined): string {
  if (status === undefined) return 'not checked yet';
  if (status.failingSince !== null) return `⚠️ failing since ${discordTime(status.failingSince)} (${plain(status.failureReason ?? 'no reason given')})`;
  return `✅ ok, checked ${discordTime(status.checkedAt, 'R')}`;
}

/**
 * One line per linked source for `/market show`: the link, its last check, and any warning the link carries (a
 * Metaculus link Crux has no token to read).
 */
export function sourceLines(links: readonly MarketLink[], statuses: readonly LinkStatus[], warningOf: (link: MarketLink) => string | undefined): string[] {
  return links.map((link) => {
    const warning = warningOf(link);
    const status = checkStatusText(statuses.find((candidate) => candidate.url === link.url));
    return `<${link.url}> — ${status}${warning === undefined ? '' : `\n⚠️ ${warning}`}`;
  });
}

/** Told to the moderators once per failing spell that has lasted a day. */
export function sourceFailureMessage(report: FailureReport, market: Market): Reply {
  return replyWith({
    content:
      `🛰️ The ${platformName(report.kind)} source of \`${market.slug}\` has been failing since ${discordTime(report.failingSince)}: ${plain(report.reason)}.\n` +
      `<${report.url}>\nCrux keeps checking it, but proposes nothing from it while it fails; fix the link (or the token) or resolve by hand.`,
  });
}
