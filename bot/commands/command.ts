import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { z } from 'zod';
import { CruxError, isCruxError, type Result } from '../../markets/errors.ts';
import { parseInput } from '../../markets/inputs.ts';
import type { CruxService } from '../../markets/cruxes/service.ts';
import { memberName } from '../../markets/names.ts';
import type { ForecastService } from '../../markets/forecasts.ts';
import type { MarketEditService } from '../../markets/edits.ts';
import type { EvidenceService } from '../../markets/evidence/service.ts';
import type { NotificationService } from '../../markets/notifications/service.ts';
import type { ResolutionService } from '../../markets/resolution/service.ts';
import type { LinkGuard } from '../../markets/sources/link-guard.ts';
import type { MarketService } from '../../markets/service.ts';
import type { SettlementService } from '../../markets/settlement/service.ts';
import { SLUG_PATTERN } from '../../markets/slug.ts';
import type { MarketViews } from '../../markets/views.ts';
import type { RealmId } from '../../markets/realms/realm.ts';
import type { RealmSettingsService } from '../../markets/realms/service.ts';
import type { Config } from '../config.ts';
import { type Card, errorReply, type Invocation, type OptionValue, type Reply } from '../reply.ts';
import { truncate } from '../render/format.ts';
import { DISCORD_LIMITS } from '../render/limits.ts';

/** What every handler may use: the use cases, the read views and the settings. Nothing else. */
export interface App {
  service: MarketService;
  /** Settlements waiting out their dispute windows, and the disputes of them. */
  settlements: SettlementService;
  /** Linked sources, resolution proposals and corrections. */
  resolution: ResolutionService;
  /** Stated forecasts and the scores of resolved markets. */
  forecasts: ForecastService;
  /** Cruxes: claims asked again under each outcome of a condition. */
  cruxes: CruxService;
  views: MarketViews;
  /** Each server's own settings over the environment's defaults. */
  realms: RealmSettingsService;
  /** Evidence members attach to markets. */
  evidence: EvidenceService;
  /** Careful edits of a market's texts and close time, each recorded. */
  edits: MarketEditService;
  /** Threads, DMs and reminders, from the outbox. */
  notifications: NotificationService;
  config: Config;
  log: (message: string, context?: Record<string, unknown>) => void;
  /** Resolves once every change committed so far is on disk (at once unless the database group-commits). */
  durable: () => Promise<void>;
  /** Keeps links given by members (plain URL sources) off internal addresses, when linked and when fetched. */
  linkGuard: LinkGuard;
}

export interface Choice {
  name: string;
  value: string;
}

export interface CommandModule {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(invocation: Invocation, app: App): Reply | Promise<Reply>;
  /**
   * True when this invocation may take longer than Discord's 3 seconds to answer (drawing a chart): Discord is then
   * told at once that the bot is thinking, and the reply replaces that note. Never for replies that open a form.
   */
  defer?(invocation: Invocation): boolean;
  autocomplete?(invocation: Invocation, focused: { name: string; value: string }, app: App): Choice[];
  /**
   * What this invocation is about to do, when it cannot be undone by trading (resolving, cancelling): Discord shows
   * it with Confirm and Cancel buttons and runs the command only on Confirm. Undefined when nothing needs confirming.
   */
  confirmation?(invocation: Invocation, app: App): Card | undefined;
  /**
   * What the confirmation showed that the command must still find when Confirm is pressed, kept with the held
   * invocation as options of its own: a command that acts on whatever is there then (another moderator's new
   * decision, a dispute filed meanwhile) would do what the presser never saw.
   */
  pin?(invocation: Invocation, app: App): Record<string, OptionValue>;
}

export type Subcommands = Record<string, (invocation: Invocation, app: App) => Reply | Promise<Reply>>;

/** Runs the handler of the invocation's subcommand. */
export function runSubcommand(subcommands: Subcommands, invocation: Invocation, app: App): Reply | Promise<Reply> {
  const handler = subcommands[invocation.subcommand ?? ''];
  if (!handler) throw new CruxError('invalid_input', `Unknown subcommand. Try one of: ${Object.keys(subcommands).join(', ')}.`);
  return handler(invocation, app);
}

/** Turns a use case's error value back into a throw, so handlers read straight through. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Runs a handler: a domain error becomes an ephemeral reply; anything else is logged and apologised for. The reply
 * is handed back once what the handler changed is on disk, since it tells the member the change was made.
 */
export async function runHandler(work: () => Reply | Promise<Reply>, app: App, context: Record<string, unknown>): Promise<Reply> {
  try {
    const reply = await work();
    await app.durable();
    return reply;
  } catch (error) {
    if (isCruxError(error)) return errorReply(error.message);
    app.log('unexpected error in a handler', { ...context, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return errorReply('Something went wrong on our side; nothing was changed. The moderators can see the details in the log.');
  }
}

export function parseOptions<S extends z.ZodType>(schema: S, invocation: Invocation): z.output<S> {
  return parseInput(schema, invocation.options);
}

/* Option schemas shared by several commands. Discord sends typed values, the console sends text: both coerce. */

/* Names are read as they look (markets/names.ts), so a look-alike with invisible characters finds the same market. */
export const marketOption = memberName(
  z.string().toLowerCase().regex(SLUG_PATTERN, 'a market id is lower-case words joined by dashes, like rome-genuine-power-seeking').max(60),
  'choose a market',
);

export const outcomeOption = memberName(z.string().min(1).max(100), 'choose an outcome');

export const requiredText = (label: string, max: number) =>
  z.string({ error: `${label} is required` }).trim().min(1, `${label} is required`).max(max, `${label} must be at most ${max} characters`);

/** A percentage option (1–99) as a probability. */
export const percentOption = z.coerce
  .number({ error: 'give a percentage between 1 and 99' })
  .finite()
  .min(1, 'give a percentage between 1 and 99')
  .max(99, 'give a percentage between 1 and 99')
  .transform((p) => p / 100);

/* Autocomplete. */

export function marketChoices(app: App, text: string, realm: RealmId, onlyOpen: boolean): Choice[] {
  return app.views.search(text, realm, onlyOpen).map((market) => ({
    name: truncate(`${market.slug} — ${market.question}`, DISCORD_LIMITS.choiceText),
    value: market.slug,
  }));
}

/** Autocomplete for commands that take an open market and one of its outcomes (/bet, /sell, /forecast). */
export function openMarketAndOutcomeChoices(invocation: Invocation, focused: { name: string; value: string }, app: App): Choice[] {
  if (focused.name === 'market') return marketChoices(app, focused.value, invocation.realm, true);
  return outcomeChoices(app, invocation.realm, invocation.options['market'], focused.value);
}

export function outcomeChoices(app: App, realm: RealmId, marketId: OptionValue | undefined, text: string): Choice[] {
  if (typeof marketId !== 'string' || marketId === '') return [];
  const market = app.views.findMarket(realm, marketId.trim().toLowerCase());
  if (!market) return [];
  const wanted = text.trim().toLowerCase();
  return market.outcomes
    .filter((name) => name.toLowerCase().includes(wanted))
    .slice(0, 25)
    .map((name) => ({ name: truncate(name, DISCORD_LIMITS.choiceText), value: name }));
}
