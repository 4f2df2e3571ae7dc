import { MessageFlags } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../bot/app.ts';
import { runHandler } from '../../bot/commands/command.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/log.ts';
import { RateLimiter } from '../../bot/rate-limit.ts';
import { openDatabase } from '../../db/open.ts';
import { option } from '../fake-discord/index.ts';
import { driveConsole, testApp } from '../support/app.ts';
import { startCruxOnFakeDiscord } from '../support/discord.ts';
import { T0 } from '../support/engine.ts';
import { betThroughDiscord, messageOf, openTestMarket } from './trading.ts';

describe('the rate limiter', () => {
  it('lets a burst of perMinute through, then refuses until a token has refilled', () => {
    let now = T0;
    const limiter = new RateLimiter(() => now);
    expect([limiter.take('bob', 3), limiter.take('bob', 3), limiter.take('bob', 3)]).toEqual([0, 0, 0]);
    expect(limiter.take('bob', 3)).toBe(20_000);
    expect(limiter.take('alice', 3)).toBe(0);
    now += 19_999;
    expect(limiter.take('bob', 3)).toBe(1);
    now += 1;
    expect(limiter.take('bob', 3)).toBe(0);
    now += 10 * 60_000;
    expect([limiter.take('bob', 3), limiter.take('bob', 3), limiter.take('bob', 3), limiter.take('bob', 3)]).toEqual([0, 0, 0, 20_000]);
  });

  it('refuses with a private note saying when to retry, and is off at 0', () => {
    const limiter = new RateLimiter(() => T0);
    expect(limiter.refusal('bob', 1)).toBeUndefined();
    expect(limiter.refusal('bob', 1)).toMatchObject({ ephemeral: true, content: '⚠️ Slow down: at most 1 action a minute. Try again in 60 s; nothing was changed.' });
    const off = new RateLimiter(() => T0);
    for (let i = 0; i < 1000; i++) expect(off.refusal('bob', 0)).toBeUndefined();
  });

  it('is configured by CRUX_RATE_LIMIT_PER_MINUTE and CRUX_MAX_OPEN_MARKETS_PER_USER, validated', () => {
    expect(loadConfig({})).toMatchObject({ CRUX_RATE_LIMIT_PER_MINUTE: 30, CRUX_MAX_OPEN_MARKETS_PER_USER: 5 });
    expect(loadConfig({ CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_MAX_OPEN_MARKETS_PER_USER: '12' })).toMatchObject({ CRUX_RATE_LIMIT_PER_MINUTE: 0, CRUX_MAX_OPEN_MARKETS_PER_USER: 12 });
    expect(() => loadConfig({ CRUX_RATE_LIMIT_PER_MINUTE: 'lots' })).toThrow(/^CRUX_RATE_LIMIT_PER_MINUTE: /);
    expect(() => loadConfig({ CRUX_RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/^CRUX_RATE_LIMIT_PER_MINUTE: /);
    expect(() => loadConfig({ CRUX_MAX_OPEN_MARKETS_PER_USER: '2.5' })).toThrow(/^CRUX_MAX_OPEN_MARKETS_PER_USER: /);
  });
});

async function consoleOutput(env: Record<string, string>, lines: string[]): Promise<string> {
  const harness = testApp(env);
  const text = await driveConsole(harness, lines);
  harness.assertVerified();
  harness.db.close();
  return text;
}

const OPEN = (n: number) => `/market open question:Will limit test ${n} pass? criteria:YES if it does. closes:2030-01-01`;

describe('limits in the console', () => {
  it('rate-limits each /as user on their own', async () => {
    const out = await consoleOutput({ CRUX_RATE_LIMIT_PER_MINUTE: '2' }, ['/as bob', '/portfolio', '/portfolio', '/portfolio', '/as carol', '/portfolio']);
    expect(out.match(/Slow down/g)).toHaveLength(1);
    expect(out).toContain('Portfolio of carol');
  });

  it('refuses a member a market past CRUX_MAX_OPEN_MARKETS_PER_USER; moderators are exempt', async () => {
    const out = await consoleOutput({ CRUX_MAX_OPEN_MARKETS_PER_USER: '2' }, ['/as bob', OPEN(1), OPEN(2), OPEN(3), '/as mod --moderator', OPEN(4), OPEN(5), OPEN(6)]);
    expect(out.match(/You already have 2 markets open; the limit is 2\./g)).toHaveLength(1);
    expect(out).not.toContain('limit test 3');
    expect(out).toContain('Will limit test 6 pass?');
  });
});

describe('limits through Discord', () => {
  it('refuses a member past the rate limit privately, writes nothing for them, and does not count autocomplete', async () => {
    const bot = await startCruxOnFakeDiscord({ CRUX_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const marketId = openTestMarket(bot.crux.app.service, 'rate-limited', bot.fake.guild.id);
      for (let i = 0; i < 5; i++) {
        const typing = bot.fake.autocomplete({ name: 'bet', user: 'bob', options: [], focused: { name: 'market', value: 'rate' } });
        await bot.fake.waitForCallback(typing.id);
      }
      const bets = [];
      for (let i = 0; i < 4; i++) bets.push(messageOf(await bot.fake.waitForCallback(betThroughDiscord(bot.fake, 'bob', marketId, 5).id)));
      expect(bets.slice(0, 3).map((reply) => reply.embeds?.[0]?.title)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/^bob bought/)));
      expect(bets[3]?.content).toMatch(/^⚠️ Slow down: at most 3 actions a minute\./);
      expect((bets[3]?.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
      expect(bot.ledgerCount('buy')).toBe(3);
      const alice = messageOf(await bot.fake.waitForCallback(betThroughDiscord(bot.fake, 'alice', marketId, 5).id));
      expect(alice.embeds?.[0]?.title).toMatch(/^alice bought/);
    } finally {
      await bot.close();
    }
  });

  it('refuses a member over the open-market limit before showing the form', async () => {
    const bot = await startCruxOnFakeDiscord({ CRUX_MAX_OPEN_MARKETS_PER_USER: '1' });
    try {
      const closes = option.string('closes', 'in 3 weeks');
      const first = bot.fake.slashCommand({
        name: 'market',
        subcommand: 'open',
        user: 'alice',
        channel: 'markets',
        options: [option.string('question', 'Will the first market open?'), option.string('criteria', 'It does.'), closes],
      });
      expect(messageOf(await bot.fake.waitForCallback(first.id)).embeds?.[0]?.title).toBe('Will the first market open?');
      const second = bot.fake.slashCommand({ name: 'market', subcommand: 'open', user: 'alice', channel: 'markets', options: [closes] });
      const refused = messageOf(await bot.fake.waitForCallback(second.id));
      expect(refused.content).toBe('⚠️ You already have 1 markets open; the limit is 1. Wait for one to close, or ask a moderator.');
      expect((refused.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    } finally {
      await bot.close();
    }
  });
});

describe('the token never reaches the log', () => {
  it('scrubs a thrown error that carries the token, and anything shaped like a token', async () => {
    const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';
    const lines: string[] = [];
    const config = loadConfig({ DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: '1', CRUX_DATABASE: ':memory:' });
    const db = openDatabase(':memory:');
    const app = createApp(config, db, createLogger([config.DISCORD_TOKEN], (line) => lines.push(line)));
    const reply = await runHandler(
      () => {
        throw new Error(`PATCH https://discord.com/api/v10/webhooks/1/${token}/messages/@original failed (Authorization: Bot ${token})`);
      },
      app,
      { interaction: '42' },
    );
    app.log('a stranger token', { error: 'OTg3NjU0MzIxMDk4NzY1NDMy.XyZaBc.zyxwvutsrqponmlkjihgfedcba9876543210' });
    db.close();
    expect(reply).toMatchObject({ ephemeral: true, content: expect.stringContaining('Something went wrong on our side') });
    expect(reply.content).not.toContain(token);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('unexpected error in a handler');
    expect(lines[0]).toContain('[redacted]');
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain('OTg3NjU0MzIxMDk4NzY1NDMy.XyZaBc');
  });
});
