import { z } from 'zod';
import { parseCloseTime } from '../../close-time.ts';
import { noticeLine } from '../../render/conversation.ts';
import { discordTime, plain, truncate } from '../../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, marketOption, parseOptions, unwrap } from '../command.ts';
import { quietWhereAsked } from '../quiet.ts';
import { contextOf } from '../trading.ts';

const HISTORY_SHOWN = 20;

const options = z.object({
  market: marketOption,
  question: z.string().trim().min(1).max(300, 'at most 300 characters').optional(),
  criteria: z.string().trim().min(1).max(2000, 'at most 2000 characters').optional(),
  closes: z.string().trim().min(1).max(100).optional(),
  add_tag: z.string().trim().min(1).max(40, 'a tag is at most 40 characters').optional(),
  reason: z.string().trim().max(300, 'at most 300 characters').optional(),
});

/** /market edit: the creator before others trade, a moderator (with a reason) any time before settlement. */
export function editMarket(invocation: Invocation, app: App): Reply {
  const input = parseOptions(options, invocation);
  const { market, edits } = unwrap(
    app.edits.edit(
      {
        marketId: input.market,
        ...(input.question !== undefined ? { question: input.question } : {}),
        ...(input.criteria !== undefined ? { criteria: input.criteria } : {}),
        ...(input.closes !== undefined ? { closesAt: parseCloseTime(input.closes, invocation.now) } : {}),
        ...(input.add_tag !== undefined ? { addTag: input.add_tag } : {}),
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
      },
      contextOf(invocation),
    ),
  );
  const lines = edits.map((edit) =>
    noticeLine({ kind: 'edit', field: edit.field, from: edit.from, to: edit.to, reason: edit.reason, userId: edit.editedBy }, false),
  );
  const reply = replyWith({ content: truncate(`Edited \`${market.slug}\`:\n${lines.join('\n')}`, 2000), refreshMarkets: [market.id] });
  return quietWhereAsked(app, invocation.realm, reply);
}

/** /market history: every recorded edit, oldest first. */
export function marketHistory(invocation: Invocation, app: App): Reply {
  const { market: slug } = parseOptions(z.object({ market: marketOption }), invocation);
  const { market, edits } = app.edits.history(invocation.realm, slug);
  const lines = edits
    .slice(-HISTORY_SHOWN)
    .map(
      (edit) =>
        `${discordTime(edit.editedAt)} <@${edit.editedBy}> ${edit.field}: “${plain(truncate(edit.from, 200))}” → “${plain(truncate(edit.to, 200))}”${edit.reason === null ? '' : ` — ${plain(edit.reason)}`}`,
    );
  return replyWith({
    ephemeral: true,
    cards: [
      {
        title: truncate(`Edits — ${market.question}`, 256),
        color: 0xf59e0b,
        description: lines.length === 0 ? 'Never edited.' : truncate(lines.join('\n'), 4000),
        footer: `${market.slug} · opened by the creator ${discordTime(market.createdAt, 'D')}`.slice(0, 2048),
      },
    ],
  });
}
