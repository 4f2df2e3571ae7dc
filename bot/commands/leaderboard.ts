import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { SCORE_BOARDS, type ScoreBoard } from '../../markets/forecasts.ts';
import type { RealmId } from '../../markets/realms/realm.ts';
import { formatCredits } from '../../markets/money.ts';
import { SCORING_DEFINITIONS } from '../../markets/scoring/index.ts';
import { plain, truncate } from '../render/format.ts';
import { type Card, replyWith } from '../reply.ts';
import { type App, type CommandModule, parseOptions } from './command.ts';

const MEDALS = ['🥇', '🥈', '🥉'];
const SHOWN = 10;
const RANKINGS = ['profit', ...SCORE_BOARDS] as const;

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

/** What each score board shows; the ranking itself (which way is better) is the store's. */
const SCORE_BOARD_TEXTS: Record<ScoreBoard, { title: string; definition: string; digits: number }> = {
  peer: { title: 'peer score (higher is better)', definition: SCORING_DEFINITIONS.peerScore, digits: 1 },
  baseline: { title: 'baseline score (higher is better)', definition: SCORING_DEFINITIONS.baselineScore, digits: 1 },
  relative: { title: 'relative Brier (lower is better)', definition: SCORING_DEFINITIONS.relativeBrier, digits: 3 },
  brier: { title: 'time-averaged Brier (lower is better)', definition: SCORING_DEFINITIONS.brier, digits: 3 },
  log: { title: 'time-averaged log score (higher is better)', definition: SCORING_DEFINITIONS.logScore, digits: 3 },
};

function scoreBoard(app: App, realm: RealmId, by: ScoreBoard): Card {
  const text = SCORE_BOARD_TEXTS[by];
  const minMarkets = app.realms.values(realm).leaderboardMinMarkets;
  const rows = app.forecasts.board({ guildId: realm, by, minMarkets, limit: SHOWN });
  const lines = rows.map(
    (row, i) =>
      `${rank(i)} ${row.displayName === null ? `<@${row.userId}>` : plain(row.displayName)} — ${row.value.toFixed(text.digits)} over ${row.markets} market${row.markets === 1 ? '' : 's'}`,
  );
  return {
    title: `Leaderboard — mean ${text.title}`,
    color: 0x14b8a6,
    description: lines.length > 0 ? lines.join('\n') : `Nobody has ${minMarkets} resolved market${minMarkets === 1 ? '' : 's'} with forecasts yet.`,
    footer: truncate(`Members with at least ${minMarkets} scored market${minMarkets === 1 ? '' : 's'}. ${text.definition}`, 2048),
  };
}

export const leaderboard: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('leaderboard')
    .setDescription('Who has made the most from markets here, or forecast best')
    .addStringOption((o) =>
      o
        .setName('by')
        .setDescription('profit (default), or a score on resolved markets: peer, baseline, relative (Brier), brier, log')
        .addChoices(...RANKINGS.map((ranking) => ({ name: ranking, value: ranking }))),
    ),

  execute(invocation, app) {
    const { by } = parseOptions(options, invocation);
    return replyWith({ cards: [by === 'profit' ? profitBoard(app, invocation.realm) : scoreBoard(app, invocation.realm, by)] });
  },
};
