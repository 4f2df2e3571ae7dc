import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config.ts';

describe('source and proposal settings', () => {
  it('defaults to the public platform APIs, a polite poll rate and no moderators channel', () => {
    const config = loadConfig({});
    expect(config.CRUX_MODERATOR_CHANNEL).toBeUndefined();
    expect(config).toMatchObject({
      CRUX_MANIFOLD_API_BASE: 'https://api.manifold.markets',
      CRUX_METACULUS_API_BASE: 'https://www.metaculus.com',
      CRUX_POLYMARKET_API_BASE: 'https://gamma-api.polymarket.com',
      CRUX_SOURCE_TIMEOUT_MS: 10_000,
      CRUX_SOURCE_POLL_CRON: '*/5 * * * *',
      CRUX_SOURCE_POLL_MINUTES: 30,
      CRUX_SOURCE_MAX_BACKOFF_MINUTES: 720,
      CRUX_NUDGE_DAYS: 7,
    });
  });

  it('names the variable when a value is wrong', () => {
    expect(() => loadConfig({ CRUX_SOURCE_POLL_CRON: 'every minute' })).toThrow('CRUX_SOURCE_POLL_CRON: not a valid cron expression');
    expect(() => loadConfig({ CRUX_MANIFOLD_API_BASE: 'ftp://mirror' })).toThrow('CRUX_MANIFOLD_API_BASE');
    expect(() => loadConfig({ CRUX_MODERATOR_CHANNEL: '#mods' })).toThrow('CRUX_MODERATOR_CHANNEL: a channel id (digits)');
    expect(() => loadConfig({ CRUX_SOURCE_POLL_MINUTES: '60', CRUX_SOURCE_MAX_BACKOFF_MINUTES: '30' })).toThrow(
      'CRUX_SOURCE_MAX_BACKOFF_MINUTES: must be at least CRUX_SOURCE_POLL_MINUTES',
    );
  });
});
