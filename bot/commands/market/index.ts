import { SlashCommandBuilder, type SlashCommandSubcommandBuilder } from 'discord.js';
import { type CommandModule, marketChoices, runSubcommand, type Subcommands } from '../command.ts';
import { listMarkets, showMarket, STATUS_CHOICES } from './browse.ts';
import { disputeResolution } from './dispute.ts';
import { editMarket, marketHistory } from './edit.ts';
import { followMarket, unfollowMarket } from './follow.ts';
import { openMarket } from './open.ts';

const SUBCOMMANDS: Subcommands = {
  open: openMarket,
  show: showMarket,
  list: listMarkets,
  dispute: disputeResolution,
  edit: editMarket,
  history: marketHistory,
  follow: followMarket,
  unfollow: unfollowMarket,
};

/** A subcommand whose one option is the market. */
const onMarket = (name: string, description: string) => (s: SlashCommandSubcommandBuilder) =>
  s
    .setName(name)
    .setDescription(description)
    .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true));

export const market: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('market')
    .setDescription('Prediction markets on alignment claims')
    .addSubcommand((s) =>
      s
        .setName('open')
        .setDescription('Open a market (leave out the long texts to type them in a form)')
        .addStringOption((o) => o.setName('question').setDescription('The claim, as a question').setMaxLength(300))
        .addStringOption((o) => o.setName('criteria').setDescription('Exactly how it resolves').setMaxLength(2000))
        .addStringOption((o) => o.setName('closes').setDescription('When trading stops: 2027-06-30, "in 3 weeks"').setMaxLength(100))
        .addStringOption((o) => o.setName('outcomes').setDescription('Comma-separated outcomes (default Yes,No)').setMaxLength(1300))
        .addNumberOption((o) => o.setName('probability').setDescription('Opening % of the first outcome (binary)').setMinValue(1).setMaxValue(99))
        .addNumberOption((o) => o.setName('liquidity').setDescription('LMSR liquidity b in credits (default from config)').setMinValue(10))
        .addStringOption((o) => o.setName('source').setDescription('A URL the market resolves against').setMaxLength(500))
        .addStringOption((o) =>
          o.setName('if').setDescription('Conditional on another market: MARKET=OUTCOME, e.g. rome-replicates=Yes').setMaxLength(130),
        ),
    )
    .addSubcommand(onMarket('show', 'Show a market'))
    .addSubcommand((s) =>
      s
        .setName('list')
        .setDescription('List markets')
        .addStringOption((o) => o.setName('status').setDescription('Which markets (default open)').addChoices(...STATUS_CHOICES)),
    )
    .addSubcommand((s) =>
      s
        .setName('dispute')
        .setDescription('Dispute a resolution during its window (traders of the market)')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('reason').setDescription('Why the resolution is wrong').setRequired(true).setMaxLength(1000))
        .addStringOption((o) => o.setName('evidence').setDescription('A URL or short citation').setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('edit')
        .setDescription('Edit a market: its creator before others trade, or a moderator with a reason')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('question').setDescription('The new question').setMaxLength(300))
        .addStringOption((o) => o.setName('criteria').setDescription('The new resolution criteria').setMaxLength(2000))
        .addStringOption((o) => o.setName('closes').setDescription('The new close time: 2027-06-30, "in 3 weeks"').setMaxLength(100))
        .addStringOption((o) => o.setName('add_tag').setDescription('A tag to add').setMaxLength(40))
        .addStringOption((o) => o.setName('reason').setDescription('Why (required for moderators)').setMaxLength(300)),
    )
    .addSubcommand(onMarket('history', "A market's recorded edits"))
    .addSubcommand(onMarket('follow', 'Get DMs about a market you do not hold'))
    .addSubcommand(onMarket('unfollow', 'Stop following a market')),

  // Only show draws a chart; open must never be deferred, since it may answer with a form.
  defer: (invocation) => invocation.subcommand === 'show',

  execute: (invocation, app) => runSubcommand(SUBCOMMANDS, invocation, app),

  autocomplete(invocation, focused, app) {
    return marketChoices(app, focused.value, invocation.realm, false);
  },
};
