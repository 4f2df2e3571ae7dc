import { SlashCommandBuilder } from 'discord.js';
import { CruxError } from '../../../markets/errors.ts';
import type { Invocation, Reply } from '../../reply.ts';
import { type App, type CommandModule, marketChoices, outcomeChoices } from '../command.ts';
import { listMarkets, showMarket, STATUS_CHOICES } from './browse.ts';
import { configureAutoResolve } from './autoresolve.ts';
import { settlementConfirmation } from './confirm.ts';
import { CANCEL_CHOICE, cancelMarket, closeMarket, correctResolution, linkSource, resolveMarket } from './moderate.ts';
import { openMarket } from './open.ts';

const SUBCOMMANDS: Record<string, (invocation: Invocation, app: App) => Reply | Promise<Reply>> = {
  open: openMarket,
  show: showMarket,
  list: listMarkets,
  close: closeMarket,
  resolve: resolveMarket,
  cancel: cancelMarket,
  link: linkSource,
  correct: correctResolution,
  autoresolve: configureAutoResolve,
};

/** Which markets each subcommand's autocomplete offers. */
const ONLY_OPEN = new Set(['close', 'link']);

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
        .addStringOption((o) => o.setName('source').setDescription('A URL the market resolves against').setMaxLength(500)),
    )
    .addSubcommand((s) =>
      s
        .setName('show')
        .setDescription('Show a market')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('list')
        .setDescription('List markets')
        .addStringOption((o) => o.setName('status').setDescription('Which markets (default open)').addChoices(...STATUS_CHOICES)),
    )
    .addSubcommand((s) =>
      s
        .setName('close')
        .setDescription('Moderators: stop trading in a market')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('resolve')
        .setDescription('Moderators: resolve a market and pay the winners')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('outcome').setDescription('What happened').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('evidence').setDescription('A URL or short citation').setRequired(true).setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('cancel')
        .setDescription('Moderators: cancel a market and refund its traders')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('reason').setDescription('Why').setRequired(true).setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('link')
        .setDescription('Moderators: link a resolution source')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('url').setDescription('The source URL').setRequired(true).setMaxLength(500)),
    )
    .addSubcommand((s) =>
      s
        .setName('correct')
        .setDescription('Moderators: correct a resolved or cancelled market (payouts are reversed on the ledger)')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('outcome').setDescription(`What really happened, or "${CANCEL_CHOICE}"`).setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('evidence').setDescription('A URL or short citation').setRequired(true).setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('autoresolve')
        .setDescription('Moderators: let proposals from trusted sources apply themselves after a grace period')
        .addBooleanOption((o) => o.setName('enabled').setDescription('On or off').setRequired(true))
        .addStringOption((o) => o.setName('sources').setDescription('Trusted platforms, comma-separated (default manifold,metaculus,polymarket)').setMaxLength(100))
        .addNumberOption((o) => o.setName('grace_hours').setDescription('Hours a moderator has to reject (default 24)').setMinValue(0).setMaxValue(720)),
    ),

  // Only show draws a chart; open must never be deferred, since it may answer with a form.
  defer: (invocation) => invocation.subcommand === 'show',

  confirmation: settlementConfirmation,

  execute(invocation, app) {
    const handler = SUBCOMMANDS[invocation.subcommand ?? ''];
    if (!handler) throw new CruxError('invalid_input', `Unknown subcommand. Try one of: ${Object.keys(SUBCOMMANDS).join(', ')}.`);
    return handler(invocation, app);
  },

  autocomplete(invocation, focused, app) {
    if (focused.name === 'outcome') {
      const outcomes = outcomeChoices(app, invocation.options['market'], focused.value);
      if (invocation.subcommand !== 'correct' || !CANCEL_CHOICE.includes(focused.value.trim().toLowerCase())) return outcomes;
      return [...outcomes.slice(0, 24), { name: 'Cancel the market (refund)', value: CANCEL_CHOICE }];
    }
    return marketChoices(app, focused.value, invocation.guildId, ONLY_OPEN.has(invocation.subcommand ?? ''));
  },
};
