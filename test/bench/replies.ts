import { RESTEvents } from 'discord.js';
import type { GuildSpec } from '../fake-discord/index.ts';
import { startCruxOnFakeDiscord } from '../support/discord.ts';
import { betThroughDiscord } from '../reliability/trading.ts';
import { openBenchMarket } from './markets.ts';
import { pick, randomInt, seededRandom } from './random.ts';
import type { Report } from './report.ts';

const MEMBERS = 200;
const MARKETS = 20;
const BETS_PER_MEMBER = 4;
const CALLBACK_PATH = /^\/interactions\/(\d+)\/[^/]+\/callback$/;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/**
 * `/bet` from gateway dispatch to its interaction callback reaching the fake Discord, with 200 members betting
 * at once on 20 markets (each member bets, waits for the answer, bets again). The client, Crux and the fake share
 * one process, as in the end-to-end tests, so the figures include the fake's own work.
 */
export async function runReplyLatencyBench(report: Report): Promise<void> {
  const members = Array.from({ length: MEMBERS }, (_, i) => `member-${i}`);
  const guild: GuildSpec = { textChannels: ['markets'], members: [{ username: 'owner' }, ...members.map((username) => ({ username }))], ownerUsername: 'owner' };
  const bot = await startCruxOnFakeDiscord({ CRUX_RATE_LIMIT_PER_MINUTE: '0' }, guild);
  try {
    const maker = { actor: { userId: 'bench-maker', isModerator: true }, now: Date.now() };
    const markets = Array.from({ length: MARKETS }, (_, i) => openBenchMarket(bot.crux.app.service, `reply-bench-${i}`, 2, maker).id);
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
    const round = (bets: number) =>
      Promise.all(
        members.map(async (member, i) => {
          const random = seededRandom(i + 1);
          const latencies: number[] = [];
          for (let k = 0; k < bets; k++) latencies.push(await bet(member, random));
          return latencies;
        }),
      );
    await round(1);
    // One member alone: the path's own cost, without the queue 200 members make.
    const alone: number[] = [];
    const random = seededRandom(0);
    for (let k = 0; k < 50; k++) alone.push(await bet(members[0] ?? 'member-0', random));
    report.figure('reply_alone_p50_ms', percentile(alone.sort((a, b) => a - b), 0.5), 1);
    const start = performance.now();
    const latencies = (await round(BETS_PER_MEMBER)).flat().sort((a, b) => a - b);
    const seconds = (performance.now() - start) / 1000;
    report.note(`${latencies.length} bets by ${MEMBERS} members on ${MARKETS} markets in ${seconds.toFixed(1)} s`);
    report.figure('reply_p50_ms', percentile(latencies, 0.5), 1);
    report.figure('reply_p99_ms', percentile(latencies, 0.99), 1);
    report.figure('replies_per_second', latencies.length / seconds, 0);
  } finally {
    await bot.close();
  }
}
