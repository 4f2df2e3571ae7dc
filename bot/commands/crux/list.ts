import { percent, truncate } from '../../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import type { App } from '../command.ts';
import { branchLine, strengthText } from './show.ts';

const LISTED = 15;

/** `/crux list`: the server's cruxes whose condition is unsettled, strongest first. */
export function listCruxes(invocation: Invocation, app: App): Reply {
  const ranked = app.cruxes.ranked(invocation.realm);
  const lines = ranked
    .slice(0, LISTED)
    .map((crux, i) => `${i + 1}. \`${crux.claim.slug}\` (${percent(crux.claimPrice, 0)}) if \`${crux.condition.slug}\` — ${strengthText(crux)}\n   ${branchLine(crux)}`);
  return replyWith({
    cards: [
      {
        title: 'What would change our mind most',
        description: truncate(lines.length === 0 ? 'No open cruxes yet: /crux open claim:… condition:…' : lines.join('\n'), 4000),
        color: 0x8250df,
        footer: `${ranked.length} open crux${ranked.length === 1 ? '' : 'es'} · strength = expected move of the claim, in points`,
      },
    ],
  });
}
