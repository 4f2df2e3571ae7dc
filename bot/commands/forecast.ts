import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { percent, plain } from '../render/format.ts';
import { replyWith } from '../reply.ts';
import { type CommandModule, marketOption, openMarketAndOutcomeChoices, outcomeOption, parseOptions, percentOption, unwrap } from './command.ts';
import { contextOf, nameOf } from './trading.ts';

const options = z.object({
  market: marketOption,
  probability: percentOption,
  outcome: outcomeOption.optional(),
});

export const forecast: CommandModule = {
  data: new SlashCommandBuilder()
    .setName('forecast')
    .setDescription('State your probability for a market without betting; it is scored when the market resolves')
    .addStringOption((o) => o.setName('market').setDescription('The market').setRequired(true).setAutocomplete(true))
    .addNumberOption((o) => o.setName('probability').setDescription('Your probability, in % (1-99)').setRequired(true).setMinValue(1).setMaxValue(99))
    .addStringOption((o) =>
      o.setName('outcome').setDescription('The outcome it is for (default: the first; required with 3+ outcomes)').setAutocomplete(true),
    ),

  execute(invocation, app) {
    const input = parseOptions(options, invocation);
    const recorded = unwrap(
      app.forecasts.state(
        { marketId: input.market, probability: input.probability, ...(input.outcome !== undefined ? { outcome: input.outcome } : {}) },
        contextOf(invocation),
      ),
    );
    const { market, probabilities } = recorded;
    return replyWith({
      cards: [
        {
          title: `${plain(nameOf(invocation.actor))} forecasts ${percent(input.probability)} ${plain(market.outcomes[recorded.outcome] ?? '?')}`,
          color: 0x0ea5e9,
          description: market.outcomes.map((name, index) => `${plain(name)}: **${percent(probabilities[index] ?? 0)}**`).join('\n'),
          footer: `${market.slug} · scored when the market resolves, until you forecast or trade again`,
        },
      ],
    });
  },

  autocomplete: openMarketAndOutcomeChoices,
};
