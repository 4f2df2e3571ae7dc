import { z } from 'zod';
import type { Market } from '../../../markets/market.ts';
import { platformName } from '../../../markets/resolution/decide.ts';
import { requireModerator } from '../../../markets/service.ts';
import { parseSourceUrl, type SourceRef } from '../../../markets/sources/index.ts';
import { type MetaculusSubQuestion, metaculusSubQuestions } from '../../../markets/sources/metaculus.ts';
import { matchLabels } from '../../../markets/sources/outcome.ts';
import { polymarketEventMarkets, polymarketEventOnly, polymarketEventRef, type PolymarketRef } from '../../../markets/sources/polymarket.ts';
import { plain, truncate } from '../../render/format.ts';
import { type Action, type Invocation, type Reply, replyWith } from '../../reply.ts';
import { configuredSourceHttp, sourceWarning } from '../../source-checker.ts';
import { type App, marketOption, parseOptions, requiredText, unwrap } from '../command.ts';
import { assertPublicLink } from '../public-link.ts';
import { contextOf } from '../trading.ts';

/** The select a moderator picks one market of a Polymarket event with; its id carries the Crux market. */
const PICK_PREFIX = 'crux:polypick';
/** Discord's limits on one select: 25 options, values of 100 characters. */
const MAX_OPTIONS = 25;
const MAX_VALUE_LENGTH = 100;

/** Either a link to store, or the question back to the moderator of which of the platform's questions they mean. */
type LinkPlan = { kind: 'link'; source: string | SourceRef } | { kind: 'ask'; reply: Reply };

export async function linkSource(invocation: Invocation, app: App): Promise<Reply> {
  const input = parseOptions(z.object({ market: marketOption, url: requiredText('url', 500) }), invocation);
  // Moderators only, before any lookup: otherwise members could ask Crux what internal host names resolve to.
  requireModerator(invocation.actor, 'link a source to a market');
  // The market first, so a market of another server is answered as unknown before any lookup is made for it.
  const { market } = app.views.market(invocation.realm, input.market);
  await assertPublicLink(app, input.url);
  const plan = await planLink(app, market, input.url);
  return plan.kind === 'ask' ? plan.reply : link(app, invocation, market.slug, plan.source);
}

/** A moderator picked one market of a Polymarket event from the select `/mod link` offered. */
export function linkPickedMarket(invocation: Invocation, app: App, marketSlug: string, polymarketSlug: string | undefined): Reply {
  requireModerator(invocation.actor, 'link a source to a market');
  return link(app, invocation, marketSlug, `https://polymarket.com/market/${polymarketSlug ?? ''}`);
}

function link(app: App, invocation: Invocation, marketSlug: string, source: string | SourceRef): Reply {
  const market = unwrap(app.resolution.linkSource(marketSlug, source, contextOf(invocation)));
  const linked = app.views.marketByKey(market.id)?.links.at(-1);
  const kind = linked === undefined ? 'a source' : `a ${platformName(linked.kind)} source`;
  const warning = linked === undefined ? undefined : sourceWarning(linked.kind, app.config);
  const url = linked?.url ?? (typeof source === 'string' ? source : source.url);
  return replyWith({
    content:
      warning === undefined
        ? `🔗 Linked <${url}> to \`${market.slug}\` as ${kind}; Crux will check it and propose a resolution when it resolves.`
        : `🔗 Linked <${url}> to \`${market.slug}\` as ${kind}.\n⚠️ ${warning}`,
    refreshMarkets: [market.id],
  });
}

/**
 * Asks the platform, where the link alone cannot say which question it means: a Metaculus group post (which of its
 * questions?) or a Polymarket event of several markets (which market, unless its markets are the market's outcomes).
 * When the platform cannot be read now, the link is stored as given and the poller reports what fails.
 */
async function planLink(app: App, market: Market, source: string): Promise<LinkPlan> {
  const parsed = parseSourceUrl(source);
  if (!parsed.ok) return { kind: 'link', source };
  const http = configuredSourceHttp(app.config, app.linkGuard);
  if (parsed.ref.kind === 'metaculus') return planMetaculus(await metaculusSubQuestions(parsed.ref, http.metaculus), source);
  if (parsed.ref.kind === 'polymarket') return planPolymarket(parsed.ref, market, http, source);
  return { kind: 'link', source };
}

function planMetaculus(questions: readonly MetaculusSubQuestion[] | undefined, source: string): LinkPlan {
  if (questions === undefined || questions.length === 0) return { kind: 'link', source };
  const list = questions.map((question) => `• ${plain(question.name)}: <${question.link}>`).join('\n');
  return {
    kind: 'ask',
    reply: replyWith({
      ephemeral: true,
      content: truncate(`That Metaculus link is a group of ${questions.length} questions; nothing was linked. Link the one the market is about:\n${list}`, 2000),
    }),
  };
}

async function planPolymarket(ref: PolymarketRef, market: Market, http: ReturnType<typeof configuredSourceHttp>, source: string): Promise<LinkPlan> {
  const event = polymarketEventOnly(ref);
  if (event === undefined) return { kind: 'link', source };
  const markets = await polymarketEventMarkets(event, http.polymarket);
  if (markets === undefined || markets.length === 0) return { kind: 'link', source };
  // Markets named like the outcomes ("Anthropic", "OpenAI") are the outcomes: the event is linked as one source.
  if (matchLabels(markets.map((candidate) => candidate.name), market.outcomes) !== null) return { kind: 'link', source: polymarketEventRef(event) };
  const list = markets.map((candidate) => `• ${plain(candidate.name)}: <${candidate.link}>`).join('\n');
  const pickable = markets.filter((candidate) => candidate.slug.length <= MAX_VALUE_LENGTH).slice(0, MAX_OPTIONS);
  const actions: Action[][] = [
    [
      {
        kind: 'select',
        id: `${PICK_PREFIX}:${market.slug}`,
        placeholder: 'Link which market?',
        options: pickable.map((candidate) => ({ label: truncate(candidate.name, 100), value: candidate.slug })),
      },
    ],
  ];
  return {
    kind: 'ask',
    reply: replyWith({
      ephemeral: true,
      content: truncate(
        `That Polymarket event has ${markets.length} markets, and their names are not the outcomes of \`${market.slug}\`; nothing was linked. Pick the market it is about, or link it with /mod link:\n${list}`,
        2000,
      ),
      actions: pickable.length > 0 ? actions : [],
    }),
  };
}
