import { join } from 'node:path';
import { RESTEvents } from 'discord.js';
import { loadConfig } from '../../bot/config.ts';
import { type GuildSpec, option } from '../fake-discord/index.ts';
import { startCruxOnFakeDiscord } from '../support/discord.ts';
import { betThroughDiscord } from '../reliability/trading.ts';
import { bursts, REPLIES_LOAD, settled, steadyLoad } from './load.ts';
import { percentile, withTempDir } from './measure.ts';
import { pick, randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

const PRODUCTION = loadConfig({});
const { members: MEMBERS, markets: MARKETS, thinkMs: THINK_MS, steadySeconds: STEADY_SECONDS, bursts: BURSTS } = REPLIES_LOAD;
const CALLBACK_PATH = /^\/interactions\/(\d+)\/[^/]+\/callback$/;

/**
 * `/bet` from gateway dispatch to its interaction callback reaching the fake Discord, on 20 markets, with Crux on a
 * database file (the million-trade one when `database` is given) opened as `npm start` opens it (WAL, group commit),
 * so every answer waits for its commit to reach the disk, and with each market's card posted in the channel, so
 * every bet asks for its card's redraw (made at most every CRUX_CARD_REFRESH_SECONDS, as in production). The client,
 * Crux and the fake share one process, as in the end-to-end tests, so the figures include the fake's own work. Two
 * loads:
 * - steady: 200 members each bet, wait for the answer, pause a random think time (mean 2 s), and bet again;
 * - burst: all 200 members bet at the same instant, four times over; the last answer waits for 199 trades before it.
 */
export async function runReplyLatencyBench(report: Report, database?: string): Promise<void> {
  await withTempDir(async (dir) => {
    const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
    const guild: GuildSpec = { textChannels: ['markets'], members: [{ username: 'owner' }, ...members.map((username) => ({ username }))], ownerUsername: 'owner' };
    const bot = await startCruxOnFakeDiscord(
      // Cards and threads refreshed as often as production does (the tests' own default refreshes after every trade).
      { CRUX_RATE_LIMIT_PER_MINUTE: '0', CRUX_DATABASE: database ?? join(dir, 'crux.sqlite'), CRUX_CARD_REFRESH_SECONDS: String(PRODUCTION.CRUX_CARD_REFRESH_SECONDS) },
      guild,
    );
    try {
      // Opened in chat, as members would see them: each has a posted card that every bet redraws.
      for (let i = 0; i < MARKETS; i++) {
        const opened = bot.fake.slashCommand({
          name: 'market',
          subcommand: 'open',
          user: 'owner',
          channel: 'markets',
          options: [option.string('question', `Will reply benchmark ${i} hold?`), option.string('criteria', 'Never resolved.'), option.string('closes', 'in 3 weeks')],
        });
        await bot.fake.waitForCallback(opened.id);
      }
      const postedCards = bot.db.prepare<[], { id: string }>('SELECT id FROM markets WHERE message_id IS NOT NULL ORDER BY id');
      await bot.fake.waitUntil(() => postedCards.all().length === MARKETS, { description: 'every market card is posted' });
      const markets = postedCards.all().map((row) => row.id);
      // The REST response to a callback arrives a loopback hop after the fake recorded it: precise, unlike polling.
      const answered = new Map<string, () => void>();
      bot.client.rest.on(RESTEvents.Response, (request) => {
        const id = CALLBACK_PATH.exec(request.path)?.[1];
        if (id !== undefined) answered.get(id)?.();
      });
      const bet = (member: string, random: () => number) =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          const interaction = betThroughDiscord(bot.fake, member, pick(random, markets), 1 + randomInt(random, 10), random() < 0.5 ? 'Yes' : 'No');
          answered.set(interaction.id, () => {
            answered.delete(interaction.id);
            resolve(performance.now() - start);
          });
        });
      const randoms = members.map((_, i) => seededRandom(i + 1));

      // Warm-up: every member's account exists and the code paths are compiled before anything is timed.
      await bursts(members, randoms, bet, 1);
      await settled(bot.fake);

      // One member alone: the path's own cost, without other members' trades in the way.
      const alone: number[] = [];
      const random = seededRandom(0);
      for (let k = 0; k < 50; k++) alone.push(await bet(members[0] ?? 'member-0', random));
      report.figure('reply_alone_p50_ms', percentile(alone.sort((a, b) => a - b), 0.5), 1);

      const { times: steady, seconds: steadySeconds } = await steadyLoad(members, randoms, bet, { thinkMs: THINK_MS, seconds: STEADY_SECONDS });
      report.note(
        `steady: ${MEMBERS} members, each betting after a random pause (exponential, mean ${THINK_MS / 1000} s): ` +
          `offered about ${(MEMBERS / (THINK_MS / 1000)).toFixed(0)} bets/s; ${steady.length} bets on ${MARKETS} markets in ${steadySeconds.toFixed(1)} s`,
      );
      report.figure('reply_p50_ms', percentile(steady, 0.5), 1);
      report.figure('reply_p99_ms', percentile(steady, 0.99), 1);
      report.figure('reply_max_ms', steady.at(-1) ?? Number.NaN, 1);
      report.figure('replies_per_second', steady.length / steadySeconds, 0);
      // The fake Discord and this bench share the process, so this is an upper bound on the bot's own.
      report.figure('bench_rss_mb', process.memoryUsage().rss / 1e6, 0);

      const burstStart = performance.now();
      const burstTimes = await bursts(members, randoms, bet, BURSTS);
      const burstSeconds = (performance.now() - burstStart) / 1000;
      report.note(`burst: ${BURSTS} times, all ${MEMBERS} members bet at the same instant: ${burstTimes.length} bets in ${burstSeconds.toFixed(1)} s`);
      report.figure('reply_burst_p50_ms', percentile(burstTimes, 0.5), 1);
      report.figure('reply_burst_p99_ms', percentile(burstTimes, 0.99), 1);
      report.figure('burst_replies_per_second', burstTimes.length / burstSeconds, 0);
    } finally {
      await bot.close();
    }
  });
}
