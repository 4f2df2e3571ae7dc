import { SlashCommandBuilder } from 'discord.js';
import { type CommandModule, marketChoices, runSubcommand, type Subcommands } from '../command.ts';
import { listCruxes } from './list.ts';
import { openCrux } from './open.ts';
import { showCrux } from './show.ts';

const SUBCOMMANDS: Subcommands = {
  open: openCrux,
  show: showCrux,
  list: listCruxes,
};

export const crux: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('crux')
    .setDescription('Cruxes: what would change our mind about a claim')
    .addSubcommand((s) =>
      s
        .setName('open')
        .setDescription('Open the claim conditional on each outcome of another market')
        .addStringOption((o) => o.setName('claim').setDescription('The yes/no claim').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('condition').setDescription('The market it may hinge on').setRequired(true).setAutocomplete(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('show')
        .setDescription("A claim's cruxes, their strength and a graph")
        .addStringOption((o) => o.setName('market').setDescription('The claim').setRequired(true).setAutocomplete(true)),
    )
    .addSubcommand((s) => s.setName('list').setDescription("This server's cruxes, strongest first")),

  // Only show draws a picture.
  defer: (invocation) => invocation.subcommand === 'show',

  execute: (invocation, app) => runSubcommand(SUBCOMMANDS, invocation, app),

  autocomplete(invocation, focused, app) {
    return marketChoices(app, focused.value, invocation.realm, false);
  },
};
