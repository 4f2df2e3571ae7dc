import { requireModerator } from '../markets/service.ts';
import type { App } from './commands/command.ts';
import { decideProposal } from './components/proposals.ts';
import { applyDueProposals, type JobHooks, pollSources, quietJobHooks } from './jobs.ts';
import { discordTime, plain, truncate } from './render/format.ts';
import { proposedVerdict } from './render/proposal-card.ts';
import type { Invocation, Reply } from './reply.ts';
import { replyWith } from './reply.ts';
import { configuredSourceChecker } from './source-checker.ts';
import { CONSOLE_REALM } from '../markets/realms/realm.ts';

/**
 * What the console offers for resolving against sources, which Discord does with its jobs and buttons: run the poller
 * now, list the proposals still open, and accept or reject one.
 */
export type ResolutionLine = { kind: 'poll' } | { kind: 'proposals' } | { kind: 'decide'; action: 'accept' | 'reject'; id: number };

export const RESOLUTION_HELP = '  moderators: /poll   check linked sources now      /proposals   open proposals      /proposal accept|reject ID';

/** The line's resolution command; a sentence when it is one but malformed; undefined when it is not one. */
export function parseResolutionLine(text: string): ResolutionLine | string | undefined {
  if (text === '/poll') return { kind: 'poll' };
  if (text === '/proposals') return { kind: 'proposals' };
  if (!/^\/proposal(\s|$)/.test(text)) return undefined;
  const match = /^\/proposal\s+(accept|reject)\s+#?(\d{1,9})$/.exec(text);
  if (match === null) return 'Write /proposal accept ID or /proposal reject ID, with an ID from /proposals.';
  return { kind: 'decide', action: match[1] === 'accept' ? 'accept' : 'reject', id: Number(match[2]) };
}

/** Job hooks for the console: its clock, the configured sources, and the moderators' posts written out as they come. */
export function consoleJobHooks(app: App, now: () => number, post: (reply: Reply) => void): JobHooks {
  return quietJobHooks({
    now,
    realm: CONSOLE_REALM,
    checkSource: configuredSourceChecker(app.config, app.linkGuard),
    async postToModerators(reply) {
      post(reply);
      return undefined;
    },
  });
}

export async function runResolutionLine(line: ResolutionLine, invocation: Invocation, app: App, hooks: JobHooks): Promise<Reply> {
  switch (line.kind) {
    case 'poll': {
      requireModerator(invocation.actor, 'run the source poller');
      const report = await pollSources(app, hooks);
      const applied = await applyDueProposals(app, hooks);
      const proposals = report.proposals.length === 0 ? 'no new proposals' : `new: ${report.proposals.map((p) => `#${p.id}`).join(', ')}`;
      return replyWith({
        content: `🛰️ Checked ${report.checked} source${report.checked === 1 ? '' : 's'} (${report.failed} failed); ${proposals}${applied.length > 0 ? `; applied: ${applied.map((p) => `#${p.id}`).join(', ')}` : ''}.`,
      });
    }
    case 'proposals':
      requireModerator(invocation.actor, 'see resolution proposals');
      return openProposals(invocation, app);
    case 'decide':
      return decideProposal(line.action, line.id, invocation, app);
  }
}

function openProposals(invocation: Invocation, app: App): Reply {
  const proposals = app.resolution.openProposals(invocation.realm);
  if (proposals.length === 0) return replyWith({ content: 'No open resolution proposals.' });
  const lines = proposals.map((proposal) => {
    const market = app.views.marketByKey(proposal.marketId)?.market;
    const verdict =
      proposal.verdict === 'outcome'
        ? `resolve ${plain(market === undefined ? '?' : proposedVerdict(proposal, market))}`
        : proposal.verdict === 'cancel'
          ? 'cancel'
          : proposal.verdict;
    const applies = proposal.autoApplyAt === null ? '' : `, applies itself ${discordTime(proposal.autoApplyAt)}`;
    return `#${proposal.id} \`${market?.slug ?? '?'}\` — ${verdict} (${proposal.status}${applies})\n  ${truncate(plain(proposal.evidence), 300)}`;
  });
  return replyWith({ content: truncate(`Open resolution proposals:\n${lines.join('\n')}\nDecide with /proposal accept ID or /proposal reject ID.`, 4000) });
}
