import cron from 'node-cron';
import { z } from 'zod';
import { switchInput } from '../markets/inputs.ts';
import { MAX_DISPUTE_WINDOW_HOURS, MAX_RECUSAL_DAYS } from '../markets/realms/settings.ts';
import { MANIFOLD_DEFAULT_BASE_URL, METACULUS_DEFAULT_BASE_URL, POLYMARKET_DEFAULT_BASE_URL } from '../markets/sources/index.ts';

/** Numbers from the environment arrive as text; empty means "not set". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** node-cron's own reading of the expression, so the one line says which field is wrong. */
const cronExpression = (fallback: string) =>
  z
    .string()
    .trim()
    .superRefine((expression, context) => {
      const { valid, errors } = cron.validateDetailed(expression);
      if (valid) return;
      const details = errors.map((error) => error.message).join('; ');
      context.addIssue({ code: 'custom', message: `not a valid cron expression${details === '' ? '' : ` (${details})`}` });
    })
    .default(fallback);

/** A switch: on/off (or true/false, yes/no) as text, or a boolean from a host's typed config. */
const onOff = (fallback: boolean) => switchInput.default(fallback);

const points = (fallback: number) => z.coerce.number().finite().min(0).max(100).default(fallback);

const SHARDS_WANTED = 'a whole number from 1 to 1024, or auto';

const credits = (fallback: number) =>
  z.coerce.number().finite().min(0).max(1e9).default(fallback);

export const configSchema = z.object({
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_BASE: z.url({ protocol: /^https?$/ }).default('https://discord.com/api'),
  CRUX_DATABASE: z.string().trim().min(1).default('data/crux.sqlite'),
  CRUX_DURABILITY: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /* Gateway shards (issue 16): 1 is one process; more (or Discord's own count) is a sharding manager and one process each. */
  CRUX_SHARDS: z
    .union([z.literal('auto'), z.coerce.number().int(SHARDS_WANTED).min(1, SHARDS_WANTED).max(1024, SHARDS_WANTED)], { error: SHARDS_WANTED })
    .default(1),
  CRUX_MODERATOR_ROLE: optionalText,
  CRUX_STARTING_GRANT: credits(1000),
  CRUX_DAILY_ALLOWANCE: credits(0),
  CRUX_DEFAULT_LIQUIDITY: z.coerce.number().finite().min(10).max(1_000_000).default(100),
  CRUX_CLOSE_CRON: cronExpression('* * * * *'),
  CRUX_BACKUP_DIR: z.string().trim().min(1, 'must name a folder').default('backups'),
  CRUX_BACKUP_KEEP: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must keep at least 1 backup').max(10_000).default(14),
  CRUX_BACKUP_CRON: cronExpression('30 3 * * *'),
  /* The full rebuild of the ledger (start-up checks only the rows since the last checkpoint): weekly, Sunday 04:45. */
  CRUX_VERIFY_CRON: cronExpression('45 4 * * 0'),
  /* Abuse limits (issue 6): per member, 0 turns each off. */
  CRUX_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(30),
  CRUX_MAX_OPEN_MARKETS_PER_USER: z.coerce.number().int().min(0).max(10_000).default(5),
  /* Score boards (issue 12): a member appears once this many of their markets are scored. */
  CRUX_LEADERBOARD_MIN_MARKETS: z.coerce.number().int().min(1).max(10_000).default(3),
  /* Linked sources (issue 4): where to ask, how politely, how often, and who hears about it. */
  CRUX_MANIFOLD_API_BASE: z.url({ protocol: /^https?$/ }).default(MANIFOLD_DEFAULT_BASE_URL),
  CRUX_METACULUS_API_BASE: z.url({ protocol: /^https?$/ }).default(METACULUS_DEFAULT_BASE_URL),
  CRUX_METACULUS_TOKEN: optionalText,
  CRUX_POLYMARKET_API_BASE: z.url({ protocol: /^https?$/ }).default(POLYMARKET_DEFAULT_BASE_URL),
  CRUX_SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CRUX_SOURCE_USER_AGENT: z.string().trim().min(1).max(200).default('CruxBot/0.1 (Discord play-money prediction markets)'),
  CRUX_SOURCE_POLL_CRON: cronExpression('*/5 * * * *'),
  CRUX_SOURCE_POLL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  CRUX_SOURCE_MAX_BACKOFF_MINUTES: z.coerce.number().int().min(1).max(43_200).default(720),
  CRUX_NUDGE_CRON: cronExpression('0 9 * * *'),
  CRUX_NUDGE_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /* Settlements (issue 13): how long a resolution waits, open to disputes, and when the job that ends windows runs. */
  CRUX_DISPUTE_WINDOW_HOURS: z.coerce.number().finite().min(0).max(MAX_DISPUTE_WINDOW_HOURS).default(24),
  CRUX_SETTLEMENT_CRON: cronExpression('* * * * *'),
  // Typed already when a host passes its parsed config back in.
  CRUX_QUORUM_POOL: credits(0),
  CRUX_RECUSAL_DAYS: z.coerce.number().int().min(0).max(MAX_RECUSAL_DAYS).default(0),
  CRUX_RECUSAL_REQUIRED: z.union([z.boolean(), z.enum(['true', 'false'], { error: 'true or false' }).transform((text) => text === 'true')]).default(false),
  CRUX_MODERATOR_CHANNEL: optionalText.pipe(z.string().regex(/^\d+$/, 'a channel id (digits)').optional()),
  /* The claim's conversation (issue 14): each server's defaults, which /mod settings overrides. */
  CRUX_THREADS: onOff(true),
  CRUX_QUIET_CHANNEL: onOff(false),
  CRUX_REASON_POINTS: points(10),
  CRUX_ALERT_POINTS: points(10),
  CRUX_LINK_PREVIEWS: onOff(false),
  /* Discord limits how often a bot edits and posts in one channel: a busy market's card and thread are updated at most this often. */
  CRUX_CARD_REFRESH_SECONDS: z.coerce.number().finite().min(0).max(60).default(2),
  /** How often waiting DMs and thread lines are sent and reminders decided. */
  CRUX_NOTIFY_CRON: cronExpression('* * * * *'),
});

export type Config = z.output<typeof configSchema>;

/** Configuration as given: the environment's variable names, each value as text (as the environment has it) or already typed. */
export type ConfigInput = { readonly [Name in keyof Config]?: Config[Name] | string };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * A variable set to nothing (`CRUX_RATE_LIMIT_PER_MINUTE=` in a .env) is not set, and gets its default: read as a
 * number, the empty text would be 0, which turns a limit off or a grant to nothing without a word.
 */
function withoutBlanks(env: ConfigInput): ConfigInput {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => !(typeof value === 'string' && value.trim() === '')));
}

/** Parses the environment (or a host's object under the same names); a bad value becomes one clear line naming the variable (never echoing a secret). */
export function loadConfig(env: ConfigInput): Config {
  const parsed = configSchema.safeParse(withoutBlanks(env));
  if (parsed.success) {
    if (parsed.data.DISCORD_TOKEN !== undefined && parsed.data.DISCORD_APPLICATION_ID === undefined) {
      throw new ConfigError('DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set (the application id from the developer portal)');
    }
    if (parsed.data.CRUX_SOURCE_MAX_BACKOFF_MINUTES < parsed.data.CRUX_SOURCE_POLL_MINUTES) {
      throw new ConfigError('CRUX_SOURCE_MAX_BACKOFF_MINUTES: must be at least CRUX_SOURCE_POLL_MINUTES');
    }
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const variable = issue?.path.join('.') ?? 'environment';
  throw new ConfigError(`${variable}: ${issue?.message ?? 'invalid value'}`);
}
