import { z } from 'zod';
import { CruxError } from '../errors.ts';
import { creditsToMillis, formatCredits, type Millis } from '../money.ts';
import { MAX_LIQUIDITY, MIN_LIQUIDITY, switchInput } from '../inputs.ts';

/**
 * What each server may set for itself. The environment gives the defaults for a server that sets nothing; a stored
 * value overrides its default for that server only.
 */
export interface RealmSettings {
  /** A role id or name whose members moderate, besides those with Manage Server. */
  moderatorRole: string | null;
  startingGrant: Millis;
  dailyAllowance: Millis;
  /** The LMSR b of a market opened without one, in credits. */
  defaultLiquidity: number;
  /** Where proposals and reminders go; the market's own channel when unset. */
  moderatorChannel: string | null;
  /** Where /market open posts the card; the channel it was typed in when unset. */
  marketChannel: string | null;
  /** Open markets a member (not a moderator) may have at once; 0 turns the limit off. */
  maxOpenMarkets: number;
  /** Commands, presses and form submits a member may make a minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Scored markets a member needs to appear on a score leaderboard. */
  leaderboardMinMarkets: number;
  /** Hours a resolution or cancellation waits, open to disputes, before money moves; 0 pays at once. */
  disputeWindowHours: number;
  /** Whether a moderator holding shares of a market is refused when they resolve or cancel it (else only warned). */
  recusalRequired: boolean;
  /** Days back in which a moderator's trade in a market counts as holding a position in it; 0: only shares held now. */
  recusalDays: number;
  /** Markets whose pool holds at least this much need two different moderators to resolve or cancel; 0 never. */
  quorumPool: Millis;
  /** Whether each market's card gets a public thread for its trades, evidence, edits and resolution. */
  threadMode: boolean;
  /** Whether everything about a market but its card goes only to its thread (trade receipts become private). */
  quietChannel: boolean;
  /** Percentage points a single trade must move a price to ask its trader for a reason; 0 never asks. */
  reasonPoints: number;
  /** Percentage points within 6 hours that tell holders and followers of a move; 0 never tells. */
  alertPoints: number;
  /** Whether evidence links show Discord's previews. */
  linkPreviews: boolean;
}

export type RealmSettingKey = keyof RealmSettings;

/** How one setting is typed by a moderator, stored, and shown. */
interface SettingDefinition<K extends RealmSettingKey> {
  /** The option name in /mod settings and the key stored. */
  option: string;
  label: string;
  /** Parses what a moderator typed (text or a number from Discord). */
  input: z.ZodType<RealmSettings[K], unknown>;
  /** Reads the stored JSON value back. */
  stored: z.ZodType<RealmSettings[K], unknown>;
  show(value: RealmSettings[K]): string;
}

type SettingDefinitions = { [K in RealmSettingKey]: SettingDefinition<K> };

const channelId = z
  .string()
  .trim()
  .transform((text) => text.replace(/^<#(\d+)>$/, '$1'))
  .pipe(z.string().regex(/^\d{1,25}$/, 'a channel (mention it, or give its id)'));

// Messages follow the setting's label ("Starting grant: cannot be negative.").
const credits = z.coerce
  .number({ error: 'give a number of credits' })
  .finite('give a number of credits')
  .min(0, 'cannot be negative')
  .max(1e9, 'is more credits than exist')
  .transform((value) => creditsToMillis(Math.floor(value * 1000) / 1000));

const count = (max: number) =>
  z.coerce.number({ error: 'give a whole number' }).int('give a whole number').min(0, 'cannot be negative').max(max, `is at most ${max}`);

const millis = z.number().int().min(0);

/** Thirty days: longer than any platform's own escalation, short enough that money is not held for a season. */
export const MAX_DISPUTE_WINDOW_HOURS = 720;

/** A year: a trade older than that says little about a moderator's stake. */
export const MAX_RECUSAL_DAYS = 365;

const points = (label: string) =>
  z.coerce.number({ error: `${label}: give a number of points` }).finite().min(0, `${label} cannot be negative`).max(100, `${label} is at most 100 points`);

/** "none" clears a setting that may be empty (no moderator role, no separate channel). */
const nullable = <T>(schema: z.ZodType<T, unknown>) =>
  z.union([z.literal('none').transform(() => null), schema]);

export const SETTINGS: SettingDefinitions = {
  moderatorRole: {
    option: 'moderator_role',
    label: 'Moderator role',
    input: nullable(z.string().trim().min(1).max(100).transform((text) => text.replace(/^<@&(\d+)>$/, '$1'))),
    stored: z.string().nullable(),
    show: (value) => (value === null ? 'none (Manage Server only)' : /^\d+$/.test(value) ? `<@&${value}>` : value),
  },
  startingGrant: { option: 'starting_grant', label: 'Starting grant', input: credits, stored: millis, show: (v) => `${formatCredits(v)} credits` },
  dailyAllowance: { option: 'daily_allowance', label: 'Daily allowance', input: credits, stored: millis, show: (v) => `${formatCredits(v)} credits` },
  defaultLiquidity: {
    option: 'default_liquidity',
    label: 'Default liquidity',
    input: z.coerce.number({ error: 'give a number' }).finite().min(MIN_LIQUIDITY, `at least ${MIN_LIQUIDITY}`).max(MAX_LIQUIDITY, `at most ${MAX_LIQUIDITY}`),
    stored: z.number().min(MIN_LIQUIDITY).max(MAX_LIQUIDITY),
    show: (v) => `b = ${v}`,
  },
  moderatorChannel: {
    option: 'moderator_channel',
    label: 'Moderator channel',
    input: nullable(channelId),
    stored: z.string().nullable(),
    show: (v) => (v === null ? "the market's own channel" : `<#${v}>`),
  },
  marketChannel: {
    option: 'market_channel',
    label: 'Market channel',
    input: nullable(channelId),
    stored: z.string().nullable(),
    show: (v) => (v === null ? 'where /market open is used' : `<#${v}>`),
  },
  maxOpenMarkets: {
    option: 'max_open_markets',
    label: 'Open markets per member',
    input: count(10_000),
    stored: z.number().int().min(0),
    show: (v) => (v === 0 ? 'no limit' : String(v)),
  },
  rateLimitPerMinute: {
    option: 'rate_limit',
    label: 'Rate limit',
    input: count(10_000),
    stored: z.number().int().min(0),
    show: (v) => (v === 0 ? 'off' : `${v} a minute`),
  },
  leaderboardMinMarkets: {
    option: 'leaderboard_min_markets',
    label: 'Markets to appear on a score board',
    input: count(1_000),
    stored: z.number().int().min(0),
    show: (v) => String(v),
  },
  disputeWindowHours: {
    option: 'dispute_window_hours',
    label: 'Dispute window',
    input: z.coerce
      .number({ error: 'give a number of hours' })
      .finite()
      .min(0, 'the dispute window cannot be negative')
      .max(MAX_DISPUTE_WINDOW_HOURS, `the dispute window is at most ${MAX_DISPUTE_WINDOW_HOURS} hours`),
    stored: z.number().min(0).max(MAX_DISPUTE_WINDOW_HOURS),
    show: (v) => (v === 0 ? 'none (settlements pay at once)' : `${v} h`),
  },
  recusalRequired: {
    option: 'recusal_required',
    label: 'Moderators with a position must recuse',
    input: switchInput,
    stored: z.boolean(),
    show: (v) => (v ? 'on (a moderator holding shares cannot resolve or cancel)' : 'off (a moderator holding shares is warned)'),
  },
  recusalDays: {
    option: 'recusal_days',
    label: 'Recent trades count as a position for',
    input: z.coerce
      .number({ error: 'give a number of days' })
      .int('give a whole number of days')
      .min(0, 'the recusal days cannot be negative')
      .max(MAX_RECUSAL_DAYS, `the recusal days are at most ${MAX_RECUSAL_DAYS}`),
    stored: z.number().int().min(0).max(MAX_RECUSAL_DAYS),
    show: (v) => (v === 0 ? 'no days (only shares held now count)' : `${v} day(s) (a moderator who traded the market since counts as holding a position)`),
  },
  quorumPool: {
    option: 'quorum_pool',
    label: 'Two-moderator quorum',
    input: credits,
    stored: millis,
    show: (v) => (v === 0 ? 'off (one moderator decides)' : `markets holding ${formatCredits(v)} credits or more need two moderators`),
  },
  threadMode: { option: 'threads', label: 'Market threads', input: switchInput, stored: z.boolean(), show: (v) => (v ? 'on' : 'off') },
  quietChannel: {
    option: 'quiet_channel',
    label: 'Quiet channel',
    input: switchInput,
    stored: z.boolean(),
    show: (v) => (v ? 'on (only cards in the channel; the rest in threads)' : 'off'),
  },
  reasonPoints: {
    option: 'reason_points',
    label: 'Ask a reason for moves of',
    input: points('The reason threshold'),
    stored: z.number().min(0).max(100),
    show: (v) => (v === 0 ? 'never' : `${v} points`),
  },
  alertPoints: {
    option: 'alert_points',
    label: 'Tell holders of 6-hour moves of',
    input: points('The alert threshold'),
    stored: z.number().min(0).max(100),
    show: (v) => (v === 0 ? 'never' : `${v} points`),
  },
  linkPreviews: { option: 'link_previews', label: 'Evidence link previews', input: switchInput, stored: z.boolean(), show: (v) => (v ? 'on' : 'off') },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as RealmSettingKey[];

/** The settings that name a channel: each must be a channel of the server it is set in (checked where Discord is known). */
export const CHANNEL_SETTINGS = ['moderatorChannel', 'marketChannel'] as const satisfies readonly RealmSettingKey[];

/** The setting a /mod settings option names. */
export function settingByOption(option: string): RealmSettingKey | undefined {
  return SETTING_KEYS.find((key) => SETTINGS[key].option === option);
}

/** What a moderator asked for one setting: a value of the server's own, or back to the default. */
export type SettingChange<K extends RealmSettingKey = RealmSettingKey> = { key: K; reset: true } | { key: K; reset: false; value: RealmSettings[K] };

/** Parses a moderator's value for one setting; "default" puts the server back on the environment's default. */
export function parseSetting<K extends RealmSettingKey>(key: K, raw: unknown): SettingChange<K> {
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'default') return { key, reset: true };
  const definition: SettingDefinition<K> = SETTINGS[key];
  const parsed = definition.input.safeParse(typeof raw === 'string' ? raw.trim() : raw);
  if (!parsed.success) throw new CruxError('invalid_input', `${definition.label}: ${parsed.error.issues[0]?.message ?? 'not a valid value'}.`);
  return { key, reset: false, value: parsed.data };
}

/** Reads a stored value back; a value that no longer parses is refused by name rather than guessed at. */
export function storedSetting<K extends RealmSettingKey>(key: K, stored: unknown): RealmSettings[K] {
  const parsed = SETTINGS[key].stored.safeParse(stored);
  if (!parsed.success) throw new Error(`stored setting ${key} does not parse: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export function showSetting<K extends RealmSettingKey>(key: K, value: RealmSettings[K]): string {
  return SETTINGS[key].show(value);
}

/** Where a setting's value comes from. */
export type SettingSource = 'server' | 'default';

export interface ResolvedSettings {
  values: RealmSettings;
  sources: Record<RealmSettingKey, SettingSource>;
}

/** The stored values over the defaults. */
export function resolveSettings(defaults: RealmSettings, stored: Partial<RealmSettings>): ResolvedSettings {
  const values = { ...defaults };
  const sources = {} as Record<RealmSettingKey, SettingSource>;
  for (const key of SETTING_KEYS) {
    const own = stored[key];
    sources[key] = own === undefined ? 'default' : 'server';
    if (own !== undefined) Object.assign(values, { [key]: own });
  }
  return { values, sources };
}
