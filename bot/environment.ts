import { config as loadDotenv } from 'dotenv';
import { type Config, ConfigError, loadConfig } from './config.ts';

// Its own module, apart from start-up: the command-line tools (export, verify, backup) read the configuration too,
// and should not load discord.js (half a second) to do it.

/** Runs `work`; a ConfigError (a bad value, a schedule that cannot run) ends the process with its one line. */
export function orConfigError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error — ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Reads `.env` (if any) and the environment; a bad value ends the process with one line naming it. */
export function configFromEnvironment(): Config {
  loadDotenv({ quiet: true });
  return orConfigError(() => loadConfig(process.env));
}
