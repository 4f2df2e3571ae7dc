import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { sharesInMillis } from '../../markets/money.ts';
import {
  type CommandModule,
  marketOption,
  openMarketAndOutcomeChoices,
  outcomeOption,
  parseOptions,
  percentOption,
} from './command.ts';
import { placeSell } from './trading.ts';

const options = z.object({
  market: marketOption,
  outcome: outcomeOption,
  shares: z.coerce.number({ error: 'give a number of shares' }).finite().positive('sell a positive number of shares').max(1e12).optional(),
  min_price: percentOption.optional(),
});

export const sell: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('sell')
    .setDescription('Sell shares back to the market')
    .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
    .addStringOption((o) => o.setName('outcome').setDescription('The outcome whose shares to sell').setRequired(true).setAutocomplete(true))
    .addNumberOption((o) => o.setName('shares').setDescription('How many shares (default: all you hold)').setMinValue(0.001))
    .addNumberOption((o) =>
      o.setName('min_price').setDescription('Refuse if the price would end below this % (slippage guard)').setMinValue(1).setMaxValue(99),
    ),

  execute(invocation, app) {
    const input = parseOptions(options, invocation);
    return placeSell(app, invocation, {
      marketId: input.market,
      outcome: input.outcome,
      ...(input.shares !== undefined ? { shares: sharesInMillis(input.shares) } : {}),
      ...(input.min_price !== undefined ? { minPrice: input.min_price } : {}),
    });
  },

  autocomplete: openMarketAndOutcomeChoices,
};
