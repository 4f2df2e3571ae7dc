import { SlashCommandBuilder } from 'discord.js';
import { formatCredits } from '../../markets/money.ts';
import { plain } from '../render/format.ts';
import { replyWith } from '../reply.ts';
import type { CommandModule } from './command.ts';

const MEDALS = ['🥇', '🥈', '🥉'];

export const leaderboard: CommandModule = {
  data: new SlashCommandBuilder().setName('leaderboard').setDescription('Who has made the most from markets here'),

  execute(invocation, app) {
    const rows = app.views.leaderboard(invocation.guildId, 10);
    const lines = rows.map(
      (row, i) => `${MEDALS[i] ?? `**${i + 1}.**`} ${plain(row.displayName ?? row.userId)} — ${formatCredits(row.profit)} profit · ${formatCredits(row.balance)} balance`,
    );
    return replyWith({
      cards: [
        {
          title: 'Leaderboard — profit from markets',
          color: 0xeab308,
          description: lines.length > 0 ? lines.join('\n') : 'Nobody has traded yet.',
          footer: 'Profit counts credits received from markets minus credits paid into them.',
        },
      ],
    });
  },
};
