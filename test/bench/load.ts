import type { FakeDiscord } from '../fake-discord/index.ts';
import { sleep } from '../reliability/trading.ts';

/**
 * The replies benches' load, the same in one process and across shards: 200 members on 20 markets, each pausing a
 * mean 2 s between an answer and their next bet (about 100 bets/s offered) for 12 s, and 8 bursts of all 200 at once.
 */
export const REPLIES_LOAD = { members: 200, markets: 20, thinkMs: 2_000, steadySeconds: 12, bursts: 8 } as const;

/** How long to wait at least, and how long the bot must have sent Discord nothing, before a clock starts. */
export interface Settle {
  atLeastMs: number;
  quietMs: number;
}

/**
 * After a warm-up (or a load): each process still compiles its hot code and the maintenance process copies the WAL
 * into the file, neither of which Discord sees (3 s was not enough with two shards, 8 s was).
 */
const AFTER_LOAD: Settle = { atLeastMs: 8_000, quietMs: 1_000 };
/**
 * After one burst, before another bot's: its cards' second redraws, CRUX_CARD_REFRESH_SECONDS (2 s by default) after
 * the first, are the last it owes Discord.
 */
export const AFTER_BURST: Settle = { atLeastMs: 2_500, quietMs: 300 };
const SETTLE_LIMIT_MS = 30_000;

/**
 * Before the next clock starts: bets leave every card and thread a refresh to make (CRUX_CARD_REFRESH_SECONDS apart),
 * and a market's first bets open its thread, which belongs to the bets that caused it, not to the load measured after
 * them. How long that takes depends on the shards and the machine, so this waits at least `atLeastMs`, and then until
 * the bot has sent the fake Discord nothing for `quietMs` (30 s at most).
 */
export async function settled(fake: FakeDiscord, { atLeastMs, quietMs }: Settle = AFTER_LOAD): Promise<void> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  await sleep(atLeastMs);
  let heard = fake.requests.length;
  let quietSince = performance.now();
  while (performance.now() < deadline && performance.now() - quietSince < quietMs) {
    await sleep(50);
    if (fake.requests.length !== heard) {
      heard = fake.requests.length;
      quietSince = performance.now();
    }
  }
}

/** One member's bet, resolving with how long its answer took in ms. */
export type TimedBet = (member: string, random: () => number) => Promise<number>;

/** Exponentially distributed, so members bet at independent random moments rather than in step. */
function thinkTime(random: () => number, meanMs: number): number {
  return -meanMs * Math.log(1 - random());
}

/**
 * Steady load: every member bets, waits for the answer, pauses a random think time (exponential, mean `thinkMs`) and
 * bets again, for about `seconds`. Returns every answer's time, sorted, and how long the load ran.
 */
export async function steadyLoad(
  members: readonly string[],
  randoms: readonly (() => number)[],
  bet: TimedBet,
  { thinkMs, seconds }: { thinkMs: number; seconds: number },
): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    members.map(async (member, i) => {
      const own = randoms[i] ?? Math.random;
      // A random phase: members start spread over one think time instead of all at once.
      await sleep(own() * thinkMs);
      for (;;) {
        times.push(await bet(member, own));
        const pause = thinkTime(own, thinkMs);
        // A member whose next bet would fall after the end stops here, rather than all of them betting at the end.
        if (performance.now() + pause >= deadline) break;
        await sleep(pause);
      }
    }),
  );
  return { times: times.sort((a, b) => a - b), seconds: (performance.now() - start) / 1000 };
}

/** Every member bets at the same instant, `rounds` times over; returns every answer's time, sorted. */
export async function bursts(members: readonly string[], randoms: readonly (() => number)[], bet: TimedBet, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < rounds; k++) times.push(...(await Promise.all(members.map((member, i) => bet(member, randoms[i] ?? Math.random)))));
  return times.sort((a, b) => a - b);
}
