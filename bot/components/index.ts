import { z } from 'zod';
import { CruxError } from '../../markets/errors.ts';
import { MAX_REASON_LENGTH } from '../../markets/notifications/service.ts';
import { type App, parseOptions, unwrap } from '../commands/command.ts';
import { openMarketFromModal } from '../commands/market/open.ts';
import { contextOf, placeBet, spend } from '../commands/trading.ts';
import { handleProposalButton } from './proposals.ts';
import { linkPickedMarket } from '../commands/mod/link.ts';
import { type Invocation, type Modal, type Reply, replyWith } from '../reply.ts';
import { truncate } from '../render/format.ts';
import { DISCORD_LIMITS } from '../render/limits.ts';

/**
 * Buttons, selects and modal submits. Their custom ids carry what they act on (`crux:bet:<market>:<outcome>`),
 * and they run through the same use cases as the slash commands, so the same checks apply.
 */
export type ComponentEvent =
  | { kind: 'button'; customId: string }
  | { kind: 'select'; customId: string; values: string[] }
  | { kind: 'modal'; customId: string; fields: Record<string, string> };

const PREFIX = 'crux';

export function isCruxComponent(customId: string): boolean {
  return customId.startsWith(`${PREFIX}:`);
}

function amountModal(app: App, invocation: Invocation, marketId: string, outcome: number): Modal {
  const market = app.views.market(invocation.realm, marketId).market;
  const name = market.outcomes[outcome];
  if (name === undefined) throw new CruxError('unknown_outcome', `Market \`${marketId}\` has no outcome #${outcome + 1}.`);
  return {
    id: `${PREFIX}:betamount:${marketId}:${outcome}`,
    title: truncate(`Bet on ${name}`, DISCORD_LIMITS.modalTitle),
    fields: [
      { id: 'amount', label: 'Credits to spend', style: 'short', required: true, placeholder: '50', maxLength: 12 },
      { id: 'max_price', label: 'Refuse above this % (optional)', style: 'short', required: false, maxLength: 5 },
    ],
  };
}

/** The form behind "Give a reason": its id carries the market and the trade's request id. */
function reasonModal(marketId: string, tradeRequestId: string): Modal {
  return {
    id: `${PREFIX}:reasonform:${marketId}:${tradeRequestId}`,
    title: 'Why did you move the price?',
    fields: [{ id: 'reason', label: 'One line, or an evidence link', style: 'short', required: true, maxLength: MAX_REASON_LENGTH }],
  };
}

const betFields = z.object({
  amount: z.coerce.number({ error: 'give a number of credits' }).finite().min(1, 'bet at least 1 credit').max(1_000_000_000),
  max_price: z
    .string()
    .trim()
    .optional()
    .transform((text) => (text === undefined || text === '' ? undefined : Number(text)))
    .pipe(z.number({ error: 'give a percentage between 1 and 99' }).min(1).max(99).optional()),
});

function outcomeIndexFrom(text: string | undefined): number {
  const index = Number(text);
  if (!Number.isInteger(index) || index < 0) throw new CruxError('invalid_input', 'That button is out of date; use /bet instead.');
  return index;
}

export function handleComponent(event: ComponentEvent, invocation: Invocation, app: App): Reply | Promise<Reply> {
  const [, action, marketId = '', outcome] = event.customId.split(':');
  switch (`${event.kind}:${action}`) {
    case 'button:bet':
      return replyWith({ ephemeral: true, modal: amountModal(app, invocation, marketId, outcomeIndexFrom(outcome)) });
    case 'select:betselect':
      return replyWith({ ephemeral: true, modal: amountModal(app, invocation, marketId, outcomeIndexFrom(event.kind === 'select' ? event.values[0] : undefined)) });
    case 'modal:betamount': {
      const fields = parseOptions(betFields, { ...invocation, options: event.kind === 'modal' ? event.fields : {} });
      return placeBet(app, invocation, {
        marketId,
        outcome: outcomeIndexFrom(outcome),
        amount: spend(fields.amount),
        ...(fields.max_price !== undefined ? { maxPrice: fields.max_price / 100 } : {}),
      });
    }
    case 'select:polypick':
      return linkPickedMarket(invocation, app, marketId, event.kind === 'select' ? event.values[0] : undefined);
    case 'button:proposal':
      return handleProposalButton(event.customId, invocation, app);
    case 'button:reason':
      return replyWith({ ephemeral: true, modal: reasonModal(marketId, outcome ?? '') });
    case 'modal:reasonform': {
      const market = unwrap(app.notifications.explainMove(marketId, outcome ?? '', event.kind === 'modal' ? (event.fields['reason'] ?? '') : '', contextOf(invocation)));
      return replyWith({ ephemeral: true, content: `💬 Thanks — your reason is in the thread of \`${market.slug}\`.`, refreshMarkets: [market.id] });
    }
    case 'modal:open':
      return openMarketFromModal(invocation, app, event.customId, event.kind === 'modal' ? event.fields : {});
    default:
      throw new CruxError('invalid_input', 'That control is no longer supported; use the slash commands instead.');
  }
}
