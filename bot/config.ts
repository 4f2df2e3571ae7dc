import { z } from 'zod';

/** Numbers from the environment arrive as text; empty means "not set". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const credits = (fallback: number) =>
  z.coerce.number().finite().min(0).max(1e9).default(fallback);

export const configSchema = z.object({
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_BASE: z.url({ protocol: /^https?$/ }).default('https://discord.com/api'),
  CRUX_DATABASE: z.string().trim().min(1).default('data/crux.sqlite'),
  CRUX_DURABILITY: z.enum(['FULL', 'NORMAL']).default('FULL'),
  CRUX_MODERATOR_ROLE: optionalText,
  CRUX_STARTING_GRANT: credits(1000),
  CRUX_DAILY_ALLOWANCE: credits(0),
  CRUX_DEFAULT_LIQUIDITY: z.coerce.number().finite().min(10).max(1_000_000).default(100),
  CRUX_CLOSE_CRON: z.string().trim().min(1).default('* * * * *'),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; a bad value becomes one clear line naming the variable (never echoing a secret). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) {
    if (parsed.data.DISCORD_TOKEN !== undefined && parsed.data.DISCORD_APPLICATION_ID === undefined) {
      throw new ConfigError('DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set (the application id from the developer portal)');
    }
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const variable = issue?.path.join('.') ?? 'environment';
  throw new ConfigError(`${variable}: ${issue?.message ?? 'invalid value'}`);
}
