import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { Invocation } from '../reply.ts';
import {
  type App,
  type CommandModule,
  marketOption,
  openMarketAndOutcomeChoices,
  outcomeOption,
  parseOptions,
  percentOption,
} from './command.ts';
import { placeBet, spend } from './trading.ts';

const options = z.object({
  market: marketOption,
  outcome: outcomeOption,
  amount: z.coerce
    .number({ error: 'give a number of credits' })
    .finite()
    .min(1, 'bet at least 1 credit')
    .max(1_000_000_000, 'that is more credits than exist'),
  max_price: percentOption.optional(),
});

export const bet: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('bet')
    .setDescription('Spend credits on an outcome of a market')
    .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
    .addStringOption((o) => o.setName('outcome').setDescription('The outcome to buy').setRequired(true).setAutocomplete(true))
    .addIntegerOption((o) => o.setName('amount').setDescription('Credits to spend').setRequired(true).setMinValue(1))
    .addNumberOption((o) =>
      o.setName('max_price').setDescription('Refuse if the price would end above this % (slippage guard)').setMinValue(1).setMaxValue(99),
    ),

  execute(invocation: Invocation, app: App) {
    const input = parseOptions(options, invocation);
    return placeBet(app, invocation, {
      marketId: input.market,
      outcome: input.outcome,
      amount: spend(input.amount),
      ...(input.max_price !== undefined ? { maxPrice: input.max_price } : {}),
    });
  },

  autocomplete: openMarketAndOutcomeChoices,
};
