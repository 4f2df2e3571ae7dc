import { z } from 'zod';
import type { ClaimCruxes, Crux } from '../../../markets/cruxes/service.ts';
import { renderCruxGraph } from '../../render/crux-graph.ts';
import { percent, plain, truncate } from '../../render/format.ts';
import { type Attachment, type Card, type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions } from '../command.ts';

/** "Yes → 62% · No → 31%": the claim's price under each outcome of the condition. */
export function branchLine(crux: Crux): string {
  return crux.branches.map((branch) => `${plain(branch.outcome)} (${percent(branch.conditionPrice, 0)}) → **${percent(branch.claimPrice, 0)}**`).join(' · ');
}

export function strengthText(crux: Crux): string {
  return `strength ${(crux.strength * 100).toFixed(1)} pts`;
}

export function cruxCard({ claim, claimPrice, cruxes }: ClaimCruxes): Card {
  return {
    title: truncate(`🧩 ${claim.question}`, 256),
    description: `\`${claim.slug}\` is at **${percent(claimPrice, 0)}**. Strength: how many points knowing the condition would move it, on average at the condition's prices.`,
    color: 0x8250df,
    fields:
      cruxes.length === 0
        ? [{ name: 'No cruxes', value: `Open one with /crux open claim:${claim.slug} condition:…` }]
        : cruxes.slice(0, 20).map((crux) => ({
            name: truncate(`If ${crux.condition.slug} — ${strengthText(crux)}`, 256),
            value: truncate(`${plain(crux.condition.question)}\n${branchLine(crux)}\n${crux.branches.map((b) => `\`${b.conditional.slug}\``).join(' ')}`, 1024),
          })),
    footer: `${claim.slug} · ${claim.status}`,
  };
}

/** `/crux show market`: the claim's price, its price under each condition's outcomes, each crux's strength, and the graph. */
export async function showCrux(invocation: Invocation, app: App): Promise<Reply> {
  const { market } = parseOptions(z.object({ market: marketOption }), invocation);
  const claim = app.cruxes.claimCruxes(invocation.realm, market);
  const graph: Attachment = { name: `${claim.claim.slug}-cruxes.png`, data: await renderCruxGraph(claim) };
  return replyWith({ cards: [{ ...cruxCard(claim), image: graph.name }], files: [graph] });
}
