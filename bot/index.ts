/** The package's public face: what a host bot imports from 'crux-markets'. */
export { installCrux, type CruxPlugin, type CruxPluginOptions } from './plugin.ts';
export { openDatabase, type Db, type Durability, type OpenOptions } from '../db/open.ts';
export { SchemaError } from '../db/migrate.ts';
export { ConfigError, configSchema, loadConfig, type Config, type ConfigInput } from './config.ts';
export { createLogger, type Logger } from './log.ts';
export { scheduleJobs, type JobHooks, type Jobs } from './jobs.ts';
export { loadClaims } from './startup.ts';
export type { App } from './commands/command.ts';
