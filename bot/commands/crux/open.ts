import { z } from 'zod';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';
import { cruxCard } from './show.ts';

/** `/crux open claim condition`: the claim asked again under each of the condition's outcomes, in one go. */
export function openCrux(invocation: Invocation, app: App): Reply {
  const input = parseOptions(z.object({ claim: marketOption, condition: marketOption }), invocation);
  const { marketChannel } = app.realms.values(invocation.realm);
  const crux = unwrap(
    app.cruxes.openCrux(input.claim, input.condition, { guildId: invocation.guildId, channelId: marketChannel ?? invocation.channelId }, contextOf(invocation)),
  );
  const opened = crux.branches.map((branch) => `\`${branch.conditional.slug}\``).join(', ');
  return replyWith({
    content: `🧩 Opened ${opened}: \`${crux.claim.slug}\` under each outcome of \`${crux.condition.slug}\`. Trade them with /bet; see /crux show.`,
    cards: [cruxCard(app.cruxes.claimCruxes(invocation.realm, crux.claim.slug))],
  });
}
