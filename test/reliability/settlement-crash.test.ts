import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { realmOfGuild } from '../../markets/realms/realm.ts';
import { type FakeDiscord, startFakeDiscord } from '../fake-discord/index.ts';
import { CRUX_GUILD } from '../support/discord.ts';
import { DAY, ok, testEngine } from '../support/engine.ts';
import { type CruxProcess, spawnCrux } from '../support/process.ts';
import { sleep } from './trading.ts';

/*
 * The bot runs as its own process against the fake Discord, with the settlement job firing every second, while
 * several markets' dispute windows end a fraction of a second apart. It is killed with SIGKILL the instant the first
 * settlement is seen applied (before it can post about it), and at random moments around the other windows' ends,
 * then restarted each time. At the end every settlement's payouts are on the ledger exactly once, and each was posted.
 */

const HOUR = 60 * 60 * 1000;
const MARKETS = 6;
const TRADERS = 5;
/** The first window ends this long after seeding; the others follow a third of a second apart each. */
const FIRST_WINDOW_END_MS = 6_000;
const STAGGER_MS = 330;
const RANDOM_KILLS = 6;

let dir: string;
let database: string;
let fake: FakeDiscord;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crux-settlement-crash-'));
  database = join(dir, 'crux.sqlite');
  fake = await startFakeDiscord({ guild: CRUX_GUILD, heartbeatIntervalMs: 1_000 });
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Markets of the fake guild with traders on both sides, each resolved Yes with a one-hour window that ends soon. */
function seed(): { slugs: string[]; windowsEndAt: number[] } {
  const engine = testEngine({}, database, HOUR);
  const realm = realmOfGuild(fake.guild.id);
  const seededAt = Date.now();
  const slugs: string[] = [];
  const windowsEndAt: number[] = [];
  for (let m = 0; m < MARKETS; m++) {
    const slug = `window-${m}`;
    const moderator = { realm, actor: { userId: 'setup-moderator', isModerator: true }, now: seededAt };
    ok(engine.service.openMarket({ id: slug, question: `Will window ${m} pay once?`, criteria: 'YES.', closesAt: seededAt + 365 * DAY, guildId: fake.guild.id, channelId: fake.guild.channel('markets').id }, moderator));
    for (let t = 0; t < TRADERS; t++) {
      const trader = { realm, actor: { userId: `trader-${t}`, isModerator: false }, now: seededAt };
      ok(engine.service.buy({ marketId: slug, outcome: t % 2 === 0 ? 'Yes' : 'No', amount: 1_000 * (5 + t + m) }, trader));
    }
    const windowEnd = seededAt + FIRST_WINDOW_END_MS + m * STAGGER_MS;
    // Decided an hour before the window should end, so the one-hour window ends at `windowEnd`.
    ok(engine.service.resolveMarket(slug, 'Yes', `https://example.org/${slug}`, { ...moderator, now: windowEnd - HOUR }));
    slugs.push(slug);
    windowsEndAt.push(windowEnd);
  }
  engine.db.close();
  return { slugs, windowsEndAt };
}

function start(): CruxProcess {
  return spawnCrux([], {
    DISCORD_TOKEN: fake.botToken,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    CRUX_DATABASE: database,
    CRUX_SETTLEMENT_CRON: '* * * * * *',
  });
}

function settlementStates(db: Db): { applied: number; announced: number } {
  return db.prepare(`SELECT COUNT(applied_at) AS applied, COUNT(announced_at) AS announced FROM settlements WHERE status = 'applied'`).get() as {
    applied: number;
    announced: number;
  };
}

async function kill(crux: CruxProcess): Promise<void> {
  crux.child.kill('SIGKILL');
  expect((await crux.exited).signal).toBe('SIGKILL');
}

describe('settlement across crashes', () => {
  it('pays every settlement exactly once when the bot is SIGKILLed as its window ends, and posts each one', async () => {
    const { slugs, windowsEndAt } = seed();
    const watcher = openDatabase(database, { readonly: true });
    try {
      // Killed the moment the first settlement commits: its post has not gone out yet.
      let crux = start();
      await crux.waitForOutput('Crux is connected to Discord as');
      await waitFor(() => settlementStates(watcher).applied > 0, 20_000);
      await kill(crux);
      const firstLife = settlementStates(watcher);
      expect(firstLife.applied).toBeGreaterThan(0);

      // Killed at random moments while the remaining windows end.
      for (let life = 0; life < RANDOM_KILLS && settlementStates(watcher).applied < MARKETS; life++) {
        crux = start();
        await crux.waitForOutput('Crux is connected to Discord as');
        await sleep(Math.random() * 1_500);
        await kill(crux);
      }

      // The last life runs until every settlement is applied and posted, then stops gracefully.
      crux = start();
      await crux.waitForOutput('Crux is connected to Discord as');
      await waitFor(() => settlementStates(watcher).announced === MARKETS, 30_000);
      crux.child.kill('SIGTERM');
      expect(await crux.exited).toEqual({ code: 0, signal: null });
      expect(Date.now()).toBeGreaterThan(Math.max(...windowsEndAt));
    } finally {
      watcher.close();
    }

    const db = openDatabase(database);
    try {
      expect(verify(db).problems).toEqual([]);
      for (const slug of slugs) {
        const payouts = db.prepare(`SELECT to_account, amount FROM ledger WHERE market_id = ? AND reason = 'payout' ORDER BY to_account`).all(slug) as { to_account: string; amount: number }[];
        const holders = db.prepare(`SELECT user_id, shares FROM positions WHERE market_id = ? AND outcome = 0 AND shares > 0 ORDER BY user_id`).all(slug) as { user_id: string; shares: number }[];
        // Each winning holder paid once, exactly their shares.
        expect(payouts).toEqual(holders.map((h) => ({ to_account: `user:${realmOfGuild(fake.guild.id)}:${h.user_id}`, amount: h.shares })));
        expect(db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE market_id = ? AND reason = 'settle'`).get(slug)).toEqual({ n: 1 });
        const posts = fake.messagesIn('markets').filter((message) => message.embeds[0]?.title === `⚖️ ${slug} resolved Yes: the dispute window ended and the money moved`);
        expect(posts.length).toBeGreaterThanOrEqual(1);
      }
      expect(db.prepare(`SELECT COUNT(*) AS n FROM markets WHERE status = 'resolved'`).get()).toEqual({ n: MARKETS });
    } finally {
      db.close();
    }
  }, 120_000);
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}
