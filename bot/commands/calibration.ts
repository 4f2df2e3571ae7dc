import { guildOfRealm } from '../../markets/realms/realm.ts';
import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { ScoredUser } from '../../markets/forecasts.ts';
import { formatCredits } from '../../markets/money.ts';
import { FORECAST_DEFINITION } from '../../markets/scoring/index.ts';
import { csvChunks, jsonChunks, toBuffer } from '../export/format.ts';
import { CALIBRATION_BUCKET_COLUMNS, calibrationBucketRow, userScoreRow } from '../export/rows.ts';
import { renderCalibrationChart } from '../render/charts.ts';
import { plain } from '../render/format.ts';
import { type Attachment, type Invocation, replyWith } from '../reply.ts';
import { type CommandModule, parseOptions } from './command.ts';

const FORMATS = ['png', 'csv', 'json'] as const;

const options = z.object({
  user: z.string().regex(/^[\w.-]{1,64}$/, 'not a user').optional(),
  format: z.enum(FORMATS, { error: `one of ${FORMATS.join(', ')}` }).default('png'),
  tag: z.string().trim().min(1).max(50).optional(),
});

export const calibration: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('calibration')
    .setDescription('How well calibrated a member’s forecasts are on resolved markets: chart, CSV or JSON')
    .addUserOption((o) => o.setName('user').setDescription('Whose forecasts (default: yours)'))
    .addStringOption((o) =>
      o
        .setName('format')
        .setDescription('png: a chart (default); csv or json: the table as a file')
        .addChoices(...FORMATS.map((format) => ({ name: format, value: format }))),
    )
    .addStringOption((o) => o.setName('tag').setDescription('Only markets with this tag').setMaxLength(50)),

  // Drawing the chart can outlast Discord's 3-second window.
  defer: () => true,

  async execute(invocation, app) {
    const input = parseOptions(options, invocation);
    const userId = input.user ?? invocation.actor.userId;
    const scored = app.forecasts.scoredUser(userId, invocation.realm, input.tag);
    const name = userId === invocation.actor.userId ? (invocation.actor.displayName ?? userId) : (invocation.userNames?.[userId] ?? scored?.displayName ?? userId);
    if (!scored) {
      return replyWith({
        ephemeral: true,
        content: `${plain(name)} has no scored forecasts${input.tag === undefined ? '' : ` on markets tagged ${plain(input.tag)}`} yet: a forecast (a trade or /forecast) counts once its market resolves.`,
      });
    }
    const file = await calibrationFile(scored, name, input.format, invocation);
    return replyWith({
      cards: [
        {
          title: `Calibration of ${plain(name)}${input.tag === undefined ? '' : ` — ${plain(input.tag)}`}`,
          color: 0x14b8a6,
          fields: scoreFields(scored),
          footer: FORECAST_DEFINITION,
          ...(input.format === 'png' ? { image: file.name } : {}),
        },
      ],
      files: [file],
    });
  },
};

async function calibrationFile(user: ScoredUser, name: string, format: (typeof FORMATS)[number], invocation: Invocation): Promise<Attachment> {
  const base = `calibration-${user.userId}`;
  const header = { name: 'calibration', generatedAt: invocation.now };
  switch (format) {
    case 'png':
      return { name: `${base}.png`, data: await renderCalibrationChart(user.calibration, { title: `Calibration of ${name}` }) };
    case 'csv':
      return { name: `${base}.csv`, data: toBuffer(csvChunks(header, CALIBRATION_BUCKET_COLUMNS, user.calibration.map(calibrationBucketRow))) };
    case 'json':
      return { name: `${base}.json`, data: toBuffer(jsonChunks(header, {}, { user: userScoreRow(user, guildOfRealm(invocation.realm)) })) };
  }
}

function scoreFields(user: ScoredUser) {
  const number = (value: number) => value.toFixed(3);
  return [
    { name: 'Markets scored', value: String(user.marketsForecast), inline: true },
    { name: 'Mean Brier (lower is better)', value: number(user.meanBrier), inline: true },
    { name: 'Mean log score (0 is best)', value: number(user.meanLogScore), inline: true },
    { name: 'Relative Brier (negative beats the median)', value: number(user.meanRelativeBrier), inline: true },
    { name: 'Peer score (0 = as good as the others)', value: user.meanPeerScore.toFixed(1), inline: true },
    { name: 'Baseline score (0 = uniform)', value: user.meanBaselineScore.toFixed(1), inline: true },
    { name: 'Coverage (share of each window forecast)', value: `${Math.round(100 * user.meanCoverage)}%`, inline: true },
    { name: 'Profit (all markets)', value: `${formatCredits(user.profit)} credits`, inline: true },
  ];
}
