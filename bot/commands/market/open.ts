import { z } from 'zod';
import { CruxError } from '../../../markets/errors.ts';
import { parseCloseTime } from '../../close-time.ts';
import { marketActions, marketCard } from '../../render/market-card.ts';
import { type Invocation, type Modal, type Reply, replyWith } from '../../reply.ts';
import { type App, parseOptions, percentOption, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';
import { assertPublicLink } from '../public-link.ts';
import { sourceWarning } from '../../source-checker.ts';

const options = z.object({
  question: z.string().trim().max(300, 'at most 300 characters').optional(),
  criteria: z.string().trim().max(2000, 'at most 2000 characters').optional(),
  closes: z.string().trim().max(100).optional(),
  outcomes: z.string().trim().max(1300).optional(),
  probability: percentOption.optional(),
  liquidity: z.coerce.number().finite().optional(),
  source: z.string().trim().max(500).optional(),
  if: z.string().trim().max(130).optional(),
});

type OpenOptions = z.output<typeof options>;

/** Discord's limit on a modal's custom id, which carries the short options. */
const MAX_MODAL_ID = 100;

/** `if:MARKET=OUTCOME`: the market this one is conditional on, and the outcome it assumes. */
function parseCondition(text: string): { market: string; outcome: string } {
  const split = text.indexOf('=');
  const market = text.slice(0, split).trim().toLowerCase();
  const outcome = text.slice(split + 1).trim();
  if (split === -1 || market === '' || outcome === '') {
    throw new CruxError('invalid_input', 'if: takes a market and one of its outcomes, like `if:rome-replicates=Yes`.');
  }
  return { market, outcome };
}

/** The modal that asks for the long texts, carrying the short options it cannot show in its id. */
function openModal(input: OpenOptions): Modal {
  const probability = input.probability === undefined ? '-' : String(Math.round(input.probability * 100));
  const liquidity = input.liquidity === undefined ? '-' : String(input.liquidity);
  const prefill = (value: string | undefined) => (value === undefined || value === '' ? {} : { value });
  // The condition goes last: an outcome may contain a colon, so everything after the fourth one is the condition.
  const id = `crux:open:${probability}:${liquidity}${input.if ? `:${input.if}` : ''}`;
  if (id.length > MAX_MODAL_ID) {
    throw new CruxError('invalid_input', 'That condition is too long to carry through the form: give question:, criteria: and closes: as options too.');
  }
  return {
    id,
    title: 'Open a market',
    fields: [
      { id: 'question', label: 'Question', style: 'short', required: true, maxLength: 300, ...prefill(input.question) },
      { id: 'criteria', label: 'How it resolves', style: 'paragraph', required: true, maxLength: 2000, ...prefill(input.criteria) },
      { id: 'closes', label: 'Closes (2027-06-30, in 3 weeks)', style: 'short', required: true, maxLength: 100, ...prefill(input.closes) },
      { id: 'outcomes', label: 'Outcomes, comma-separated (default Yes,No)', style: 'short', required: false, maxLength: 1300, ...prefill(input.outcomes) },
      { id: 'source', label: 'Source URL (optional)', style: 'short', required: false, maxLength: 500, ...prefill(input.source) },
    ],
  };
}

/**
 * Refuses a member who already has the server's limit of open markets (moderators are exempt). Checked
 * before the form is shown, so nobody types a question in vain, and again on submit. Between this read and the
 * open there is no await, so on the one database connection nothing can slip in.
 */
function assertMayOpenAnother(invocation: Invocation, app: App): void {
  const limit = app.realms.values(invocation.realm).maxOpenMarkets;
  if (limit === 0 || invocation.actor.isModerator) return;
  const open = app.views.openMarketsCreatedBy(invocation.realm, invocation.actor.userId);
  if (open >= limit) {
    throw new CruxError('limit_reached', `You already have ${open} markets open; the limit is ${limit}. Wait for one to close, or ask a moderator.`);
  }
}

export async function openMarketReply(invocation: Invocation, app: App, input: OpenOptions): Promise<Reply> {
  await assertPublicLink(app, input.source);
  assertMayOpenAnother(invocation, app);
  if (!input.question || !input.criteria || !input.closes) {
    if (invocation.requestId.startsWith('console:')) {
      return replyWith({ ephemeral: true, content: '⚠️ Give question:, criteria: and closes: to open a market.' });
    }
    return replyWith({ ephemeral: true, modal: openModal(input) });
  }
  const { marketChannel } = app.realms.values(invocation.realm);
  const outcomes = input.outcomes
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const market = unwrap(
    app.resolution.openMarket(
      {
        question: input.question,
        criteria: input.criteria,
        closesAt: parseCloseTime(input.closes, invocation.now),
        ...(outcomes && outcomes.length > 0 ? { outcomes } : {}),
        ...(input.probability !== undefined ? { probability: input.probability } : {}),
        ...(input.liquidity !== undefined ? { liquidity: input.liquidity } : {}),
        guildId: invocation.guildId,
        channelId: marketChannel ?? invocation.channelId,
        ...(input.if ? { condition: parseCondition(input.if) } : {}),
      },
      input.source || undefined,
      contextOf(invocation),
    ),
  );
  const view = app.views.market(invocation.realm, market.slug);
  const card = { cards: [marketCard(view)], actions: marketActions(view), postsMarket: market.id };
  const warnings = view.links.flatMap((link) => sourceWarning(link.kind, app.config) ?? []).map((warning) => `\n⚠️ ${warning}`).join('');
  // A server with a market channel gets every card there; the member who opened it is told where.
  if (marketChannel !== null && marketChannel !== invocation.channelId && invocation.guildId !== null) {
    return replyWith({ ...card, postTo: marketChannel, content: `✅ Opened \`${market.slug}\`; its card is in <#${marketChannel}>.${warnings}` });
  }
  return replyWith(warnings === '' ? card : { ...card, content: warnings.trimStart() });
}

export function openMarket(invocation: Invocation, app: App): Promise<Reply> {
  return openMarketReply(invocation, app, parseOptions(options, invocation));
}

/** The open modal's submit: its fields plus what its id carried. */
export async function openMarketFromModal(invocation: Invocation, app: App, modalId: string, fields: Record<string, string>): Promise<Reply> {
  const [, , probability, liquidity, ...condition] = modalId.split(':');
  const carried = {
    ...fields,
    ...(probability && probability !== '-' ? { probability } : {}),
    ...(liquidity && liquidity !== '-' ? { liquidity } : {}),
    ...(condition.length > 0 ? { if: condition.join(':') } : {}),
  };
  const input = parseOptions(options, { ...invocation, options: carried });
  if (!input.question || !input.criteria || !input.closes) {
    return replyWith({ ephemeral: true, content: '⚠️ The question, how it resolves and the close time are all needed.' });
  }
  return openMarketReply(invocation, app, input);
}
