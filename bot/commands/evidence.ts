import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { MAX_EVIDENCE_NOTE, STANCES } from '../../markets/evidence/evidence.ts';
import { currentPrices } from '../../markets/market.ts';
import { evidenceListLine, link } from '../render/conversation.ts';
import { percent, plain, truncate } from '../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../reply.ts';
import { type App, type CommandModule, marketChoices, marketOption, parseOptions, runSubcommand, type Subcommands, unwrap } from './command.ts';
import { quietWhereAsked } from './quiet.ts';
import { contextOf } from './trading.ts';

const LISTED = 15;

const addOptions = z.object({
  market: marketOption,
  url: z.string({ error: 'give a link' }).trim().min(1, 'give a link').max(500),
  stance: z.enum(STANCES, { error: `one of ${STANCES.join(', ')}` }).default('context'),
  note: z.string().trim().max(MAX_EVIDENCE_NOTE, `a note is at most ${MAX_EVIDENCE_NOTE} characters`).optional(),
});

function addEvidence(invocation: Invocation, app: App): Reply {
  const input = parseOptions(addOptions, invocation);
  const { market, item } = unwrap(
    app.evidence.add({ marketId: input.market, url: input.url, stance: input.stance, ...(input.note ? { note: input.note } : {}) }, contextOf(invocation)),
  );
  const { linkPreviews } = app.realms.values(invocation.realm);
  const note = item.note === null ? '' : `\n> ${plain(item.note)}`;
  const reply = replyWith({
    content: `📎 <@${item.addedBy}> added evidence #${item.number} (**${item.stance}**) to \`${market.slug}\` at ${plain(market.outcomes[0] ?? '?')} ${percent(item.pricesThen[0] ?? 0)}: ${link(item.url, linkPreviews)}${note}`,
    suppressEmbeds: !linkPreviews,
    refreshMarkets: [market.id],
  });
  return quietWhereAsked(app, invocation.realm, reply);
}

/** A card's description holds this much of the list, leaving the rest of the card's 6,000 characters to its title. */
const LIST_TEXT_MAX = 4000;

const olderNote = (older: number) => (older > 0 ? `\n…and ${older} older` : '');

/**
 * The newest items' lines, whole, as many as fit the card with the line that says how many older ones are left out
 * (those past LISTED, and those that did not fit).
 */
function newestThatFit(lines: readonly string[], total: number): string {
  let text = '';
  let shown = 0;
  for (const line of lines) {
    const next = shown === 0 ? line : `${text}\n\n${line}`;
    if (next.length + olderNote(total - shown - 1).length > LIST_TEXT_MAX) break;
    text = next;
    shown += 1;
  }
  if (shown === 0) return `${truncate(lines[0] ?? '', LIST_TEXT_MAX - olderNote(total - 1).length)}${olderNote(total - 1)}`;
  return `${text}${olderNote(total - shown)}`;
}

function listEvidence(invocation: Invocation, app: App): Reply {
  const { market: slug } = parseOptions(z.object({ market: marketOption }), invocation);
  const { market, items } = app.evidence.list(invocation.realm, slug, invocation.actor.isModerator);
  const now = currentPrices(market);
  const { linkPreviews } = app.realms.values(invocation.realm);
  const lines = items.slice(0, LISTED).map((item) => evidenceListLine(item, market, now, linkPreviews));
  return replyWith({
    ephemeral: true,
    cards: [
      {
        title: truncate(`Evidence — ${market.question}`, 256),
        color: 0x8b5cf6,
        description: lines.length === 0 ? 'No evidence yet. Add some with /evidence add.' : newestThatFit(lines, items.length),
        footer: `${market.slug} · newest first · /evidence add to add`,
      },
    ],
  });
}

const SUBCOMMANDS: Subcommands = { add: addEvidence, list: listEvidence };

export const evidence: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('evidence')
    .setDescription('Evidence on a market: links for, against, or for context')
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Attach a link to a market, with your stance and a short note')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('url').setDescription('The link (http or https)').setRequired(true).setMaxLength(500))
        .addStringOption((o) =>
          o
            .setName('stance')
            .setDescription('What it says about the first outcome (default context)')
            .addChoices(...STANCES.map((stance) => ({ name: stance, value: stance }))),
        )
        .addStringOption((o) => o.setName('note').setDescription(`What it shows (at most ${MAX_EVIDENCE_NOTE} characters)`).setMaxLength(MAX_EVIDENCE_NOTE)),
    )
    .addSubcommand((s) =>
      s
        .setName('list')
        .setDescription("A market's evidence, newest first, with the price then and now")
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true)),
    ),

  execute: (invocation, app) => runSubcommand(SUBCOMMANDS, invocation, app),

  autocomplete: (invocation, focused, app) => marketChoices(app, focused.value, invocation.realm, false),
};
