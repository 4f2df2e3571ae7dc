import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../bot/config.ts';

const example = parse(readFileSync('.env.example', 'utf8'));

describe('configuration', () => {
  it('.env.example lists every setting, each with a comment, and its values are valid', () => {
    const documented = Object.keys(example).sort();
    expect(documented).toEqual(Object.keys(configSchema.shape).sort());
    const text = readFileSync('.env.example', 'utf8');
    for (const name of documented) {
      const before = text.slice(0, text.indexOf(`${name}=`)).trimEnd().split('\n').at(-1) ?? '';
      // Each setting sits under a comment (possibly shared with its neighbours in one block).
      expect(before.startsWith('#') || /^[A-Z_]+=/.test(before), name).toBe(true);
    }
    expect(() => loadConfig(example)).not.toThrow();
  });

  it('gives a variable set to nothing its default, never the 0 that empty text would be as a number', () => {
    const blank = loadConfig({ CRUX_RATE_LIMIT_PER_MINUTE: '', CRUX_MAX_OPEN_MARKETS_PER_USER: ' ', CRUX_STARTING_GRANT: '', CRUX_DISPUTE_WINDOW_HOURS: ' ', CRUX_BACKUP_KEEP: '' });
    const defaults = loadConfig({});
    for (const name of ['CRUX_RATE_LIMIT_PER_MINUTE', 'CRUX_MAX_OPEN_MARKETS_PER_USER', 'CRUX_STARTING_GRANT', 'CRUX_DISPUTE_WINDOW_HOURS', 'CRUX_BACKUP_KEEP'] as const) {
      expect(blank[name]).toBe(defaults[name]);
      expect(defaults[name]).not.toBe(0);
    }
  });

  it('names the variable in one line when a value is bad', () => {
    expect(() => loadConfig({ CRUX_BACKUP_KEEP: '0' })).toThrow(new ConfigError('CRUX_BACKUP_KEEP: must keep at least 1 backup'));
    expect(() => loadConfig({ CRUX_DURABILITY: 'SOMETIMES' })).toThrow(/^CRUX_DURABILITY: /);
    expect(() => loadConfig({ DISCORD_API_BASE: 'ftp://example.org' })).toThrow(/^DISCORD_API_BASE: /);
    expect(() => loadConfig({ CRUX_SHARDS: '0' })).toThrow(new ConfigError('CRUX_SHARDS: a whole number from 1 to 1024, or auto'));
    expect(() => loadConfig({ CRUX_SHARDS: 'many' })).toThrow(new ConfigError('CRUX_SHARDS: a whole number from 1 to 1024, or auto'));
    expect([loadConfig({}).CRUX_SHARDS, loadConfig({ CRUX_SHARDS: '4' }).CRUX_SHARDS, loadConfig({ CRUX_SHARDS: 'auto' }).CRUX_SHARDS]).toEqual([1, 4, 'auto']);
    expect(() => loadConfig({ CRUX_CLOSE_CRON: 'every minute' })).toThrow(new ConfigError('CRUX_CLOSE_CRON: not a valid cron expression (expected 5 or 6 fields but got 2)'));
  });
});
