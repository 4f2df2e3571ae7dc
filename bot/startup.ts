import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { type Db, openDatabase } from '../db/open.ts';
import { parseClaimPack } from '../markets/claims.ts';
import type { App } from './commands/command.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';

/** Reads `.env` (if any) and the environment; a bad value ends the process with one line naming it. */
export function configFromEnvironment(): Config {
  loadDotenv({ quiet: true });
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error — ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export function openConfiguredDatabase(config: Config): Db {
  if (config.CRUX_DATABASE !== ':memory:') mkdirSync(dirname(config.CRUX_DATABASE), { recursive: true });
  return openDatabase(config.CRUX_DATABASE, { durability: config.CRUX_DURABILITY });
}

/** Opens the markets of a claim pack that are not open yet, as the system moderator. */
export function loadClaims(app: App, path: string, guildId: string | null, now: number): string {
  const pack = parseClaimPack(readFileSync(path, 'utf8'));
  const result = app.service.openClaims(pack, { guildId, channelId: null }, { actor: { userId: 'crux', displayName: 'Crux', isModerator: true }, now });
  if (!result.ok) return `Could not load ${path}: ${result.error.message}`;
  const { opened, skipped } = result.value;
  return `Claim pack ${path}: opened ${opened.length} market(s)${opened.length > 0 ? ` (${opened.join(', ')})` : ''}; ${skipped.length} already present or past their close.`;
}
