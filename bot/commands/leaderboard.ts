import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { ScoredUser } from '../../markets/forecasts.ts';
import type { RealmId } from '../../markets/realms/realm.ts';
import { formatCredits } from '../../markets/money.ts';
import { compareIds } from '../../markets/scoring/collections.ts';
import { SCORING_DEFINITIONS } from '../../markets/scoring/index.ts';
import { plain, truncate } from '../render/format.ts';
import { type Card, replyWith } from '../reply.ts';
import { type App, type CommandModule, parseOptions } from './command.ts';

const MEDALS = ['🥇', '🥈', '🥉'];
const SHOWN = 10;
const RANKINGS = ['profit', 'brier', 'log'] as const;

const options = z.object({ by: z.enum(RANKINGS, { error: `one of ${RANKINGS.join(', ')}` }).default('profit') });

function rank(index: number): string {
  return MEDALS[index] ?? `**${index + 1}.**`;
}

function profitBoard(app: App, realm: RealmId): Card {
  const rows = app.views.leaderboard(realm, SHOWN);
  const lines = rows.map(
    (row, i) => `${rank(i)} ${plain(row.displayName ?? row.userId)} — ${formatCredits(row.profit)} profit · ${formatCredits(row.balance)} balance`,
  );
  return {
    title: 'Leaderboard — profit from markets',
    color: 0xeab308,
    description: lines.length > 0 ? lines.join('\n') : 'Nobody has traded yet.',
    footer: 'Profit counts credits received from markets minus credits paid into them.',
  };
}

/** Best first: Brier is lower-better, log score higher-better; ties go to the user with more markets scored. */
const SCORE_BOARDS = {
  brier: { title: 'Brier score', value: (user: ScoredUser) => user.meanBrier, direction: 1, definition: SCORING_DEFINITIONS.brier },
  log: { title: 'log score', value: (user: ScoredUser) => user.meanLogScore, direction: -1, definition: SCORING_DEFINITIONS.logScore },
} as const;

function scoreBoard(app: App, realm: RealmId, by: keyof typeof SCORE_BOARDS): Card {
  const board = SCORE_BOARDS[by];
  const ranked = app.forecasts
    .scoredUsers(realm)
    .toSorted(
      (a, b) =>
        board.direction * (board.value(a) - board.value(b)) || b.marketsForecast - a.marketsForecast || compareIds(a.userId, b.userId),
    )
    .slice(0, SHOWN);
  const lines = ranked.map(
    (user, i) =>
      `${rank(i)} ${user.displayName === null ? `<@${user.userId}>` : plain(user.displayName)} — ${board.value(user).toFixed(3)} over ${user.marketsForecast} market${user.marketsForecast === 1 ? '' : 's'}`,
  );
  return {
    title: `Leaderboard — mean time-averaged ${board.title}`,
    color: 0x14b8a6,
    description: lines.length > 0 ? lines.join('\n') : 'No market has resolved with forecasts on it yet.',
    footer: truncate(board.definition, 2048),
  };
}

export const leaderboard: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('leaderboard')
    .setDescription('Who has made the most from markets here, or forecast best')
    .addStringOption((o) =>
      o
        .setName('by')
        .setDescription('profit (default), brier or log score on resolved markets')
        .addChoices(...RANKINGS.map((ranking) => ({ name: ranking, value: ranking }))),
    ),

  execute(invocation, app) {
    const { by } = parseOptions(options, invocation);
    return replyWith({ cards: [by === 'profit' ? profitBoard(app, invocation.realm) : scoreBoard(app, invocation.realm, by)] });
  },
};
