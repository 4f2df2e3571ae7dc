import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { formatCredits, formatShares } from '../../markets/money.ts';
import { percent, plain, truncate } from '../render/format.ts';
import { replyWith } from '../reply.ts';
import { type CommandModule, parseOptions, unwrap } from './command.ts';
import { contextOf } from './trading.ts';

const options = z.object({ user: z.string().regex(/^[\w.-]{1,64}$/, 'not a user').optional() });

export const portfolio: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('portfolio')
    .setDescription('Balance and holdings, yours or another member’s')
    .addUserOption((o) => o.setName('user').setDescription('Whose portfolio (default: yours)')),

  execute(invocation, app) {
    const input = parseOptions(options, invocation);
    const own = input.user === undefined || input.user === invocation.actor.userId;
    // Looking at your own portfolio opens your account (and its grants) if this is your first visit.
    if (own) unwrap(app.service.account(contextOf(invocation)));
    const userId = input.user ?? invocation.actor.userId;
    const view = app.views.portfolio(invocation.realm, userId);
    const lines = view.holdings.map(
      (h) =>
        `\`${h.market.slug}\` ${plain(h.market.outcomes[h.outcome] ?? '?')}: ${formatShares(h.shares)} shares @ ${percent(h.price)} ≈ ${formatCredits(h.value)}`,
    );
    return replyWith({
      ephemeral: own,
      cards: [
        {
          title: `Portfolio of ${plain((own ? invocation.actor.displayName : invocation.userNames?.[userId]) ?? userId)}`,
          color: 0x8b5cf6,
          description: lines.length > 0 ? truncate(lines.join('\n'), 4000) : 'No open positions.',
          fields: [
            { name: 'Balance', value: `${formatCredits(view.balance)} credits`, inline: true },
            { name: 'Net worth at current prices', value: `${formatCredits(view.netWorth)} credits`, inline: true },
          ],
        },
      ],
    });
  },
};
