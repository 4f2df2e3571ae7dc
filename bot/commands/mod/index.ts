import { PermissionFlagsBits, SlashCommandBuilder, type SlashCommandIntegerOption, type SlashCommandStringOption } from 'discord.js';
import { SETTINGS, SETTING_KEYS } from '../../../markets/realms/settings.ts';
import { type CommandModule, marketChoices, outcomeChoices, runSubcommand, type Subcommands } from '../command.ts';
import { configureAutoResolve } from './autoresolve.ts';
import { settlementConfirmation } from './confirm.ts';
import { CANCEL_CHOICE, cancelMarket, closeMarket, correctResolution, resolveMarket } from './moderate.ts';
import { linkSource } from './link.ts';
import { hideEvidence } from './evidence.ts';
import { showOrChangeSettings } from './settings.ts';
import { pinShown } from './shown.ts';
import { upholdResolution } from './uphold.ts';

const SUBCOMMANDS: Subcommands = {
  close: closeMarket,
  resolve: resolveMarket,
  cancel: cancelMarket,
  link: linkSource,
  correct: correctResolution,
  autoresolve: configureAutoResolve,
  settings: showOrChangeSettings,
  hide_evidence: hideEvidence,
  uphold: upholdResolution,
};

/** Which markets each subcommand's autocomplete offers. */
const ONLY_OPEN = new Set(['close', 'link']);

/** Resolving and correcting both take a probability (binary) or one per outcome instead of a certain outcome. */
const probabilityOption = (o: SlashCommandIntegerOption) =>
  o.setName('probability').setDescription('Resolve to a probability: the outcome’s chance in % (binary markets)').setMinValue(0).setMaxValue(100);
const probabilitiesOption = (o: SlashCommandStringOption) =>
  o.setName('probabilities').setDescription('Resolve to a probability per outcome, like "A=50,B=30,C=20" (sums to 100)').setMaxLength(1000);

/**
 * The moderators' actions. Discord hides the command from members without Manage Server (server admins can grant it
 * to other roles under Integrations), and every use case checks the moderator again on the server side.
 */
export const mod: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('mod')
    .setDescription('Moderators: close, resolve, cancel, uphold, correct, link sources, settings')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName('close')
        .setDescription('Stop trading in a market')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('resolve')
        .setDescription('Resolve a market and pay the winners')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('outcome').setDescription('What happened').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('evidence').setDescription('A URL or short citation').setRequired(true).setMaxLength(1000))
        .addIntegerOption(probabilityOption)
        .addStringOption(probabilitiesOption),
    )
    .addSubcommand((s) =>
      s
        .setName('cancel')
        .setDescription('Cancel a market and refund its traders')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('reason').setDescription('Why').setRequired(true).setMaxLength(1000)),
    )
    .addSubcommand((s) =>
      s
        .setName('uphold')
        .setDescription('End a pending resolution’s dispute window now and pay it out')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('link')
        .setDescription('Link a resolution source')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('url').setDescription('The source URL').setRequired(true).setMaxLength(500)),
    )
    .addSubcommand((s) =>
      s
        .setName('correct')
        .setDescription('Correct a resolved or cancelled market (payouts are reversed on the ledger)')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('outcome').setDescription(`What really happened, or "${CANCEL_CHOICE}"`).setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('evidence').setDescription('A URL or short citation').setRequired(true).setMaxLength(1000))
        .addIntegerOption(probabilityOption)
        .addStringOption(probabilitiesOption),
    )
    .addSubcommand((s) =>
      s
        .setName('autoresolve')
        .setDescription('Let proposals from trusted sources apply themselves after a grace period')
        .addBooleanOption((o) => o.setName('enabled').setDescription('On or off').setRequired(true))
        .addStringOption((o) => o.setName('sources').setDescription('Trusted platforms, comma-separated (default manifold,metaculus,polymarket)').setMaxLength(100))
        .addNumberOption((o) => o.setName('grace_hours').setDescription('Hours a moderator has to reject (default 24)').setMinValue(0).setMaxValue(720)),
    )
    .addSubcommand((s) =>
      s
        .setName('hide_evidence')
        .setDescription('Hide an evidence item (spam); it stays in the record')
        .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
        .addIntegerOption((o) => o.setName('number').setDescription('The evidence number (#)').setRequired(true).setMinValue(1))
        .addStringOption((o) => o.setName('reason').setDescription('Why').setRequired(true).setMaxLength(300)),
    )
    .addSubcommand((s) => {
      s.setName('settings').setDescription("Show this server's settings, or change them (\"default\" goes back to the default)");
      for (const key of SETTING_KEYS) {
        s.addStringOption((o) => o.setName(SETTINGS[key].option).setDescription(`${SETTINGS[key].label} ("default" to reset)`).setMaxLength(100));
      }
      return s;
    }),

  confirmation: settlementConfirmation,
  pin: (invocation, app) => (['resolve', 'cancel', 'uphold'].includes(invocation.subcommand ?? '') ? pinShown(invocation, app) : {}),

  // Linking may ask the platform which of its questions a link means, which can take longer than Discord waits; a
  // member is refused at once, privately, so only a moderator's link is deferred.
  defer: (invocation) => invocation.subcommand === 'link' && invocation.actor.isModerator,

  execute: (invocation, app) => runSubcommand(SUBCOMMANDS, invocation, app),

  autocomplete(invocation, focused, app) {
    if (focused.name === 'outcome') {
      const outcomes = outcomeChoices(app, invocation.realm, invocation.options['market'], focused.value);
      if (invocation.subcommand !== 'correct' || !CANCEL_CHOICE.includes(focused.value.trim().toLowerCase())) return outcomes;
      return [...outcomes.slice(0, 24), { name: 'Cancel the market (refund)', value: CANCEL_CHOICE }];
    }
    return marketChoices(app, focused.value, invocation.realm, ONLY_OPEN.has(invocation.subcommand ?? ''));
  },
};
