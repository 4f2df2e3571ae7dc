import { realmOfGuild } from '../../markets/realms/realm.ts';
import { join } from 'node:path';
import { InteractionResponseType, MessageFlags } from 'discord.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { latestVersion } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import { option, startFakeDiscord } from '../fake-discord/index.ts';
import { CRUX_GUILD } from '../support/discord.ts';
import { ok, testEngine } from '../support/engine.ts';
import { spawnCrux } from '../support/process.ts';
import { betThroughDiscord, messageOf, openMarketThroughDiscord, openTestMarket, timesApplied } from './trading.ts';
import { folderForEachTest } from '../support/folder.ts';

const dir = folderForEachTest('crux-lifecycle-');
let database: string;
beforeEach(() => {
  database = join(dir(), 'crux.sqlite');
});

function assertVerifies(path: string): void {
  const db = openDatabase(path);
  try {
    expect(verify(db).problems).toEqual([]);
  } finally {
    db.close();
  }
}

/** A database with one market and one trade, written by this code. */
/** A market with a trade, in the server `guildId` (the console's realm without one). */
function seedDatabase(guildId: string | null = null): void {
  const engine = testEngine({}, database);
  const marketId = openTestMarket(engine.service, 'seeded-market', guildId);
  ok(engine.service.buy({ marketId, outcome: 'Yes', amount: 5_000 }, { ...engine.member('dana'), realm: realmOfGuild(guildId), now: Date.now() }));
  engine.db.close();
}

describe('npm start with a token runs the bot, and SIGTERM stops it gracefully', () => {
  it('serves /bet through the gateway, finishes the reply in flight on SIGTERM, exits 0, and the ledger verifies', async () => {
    const fake = await startFakeDiscord({ guild: CRUX_GUILD, heartbeatIntervalMs: 1_000 });
    try {
      const crux = spawnCrux([], {
        DISCORD_TOKEN: fake.botToken,
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_BASE: fake.apiBase,
        CRUX_DATABASE: database,
      });
      await crux.waitForOutput('Crux is connected to Discord as');
      const { marketId } = await openMarketThroughDiscord(fake, 'alice', 'Will the bot stop gracefully?', 'Exit code 0.');
      const bet = betThroughDiscord(fake, 'bob', marketId, 25);
      expect(messageOf(await fake.waitForCallback(bet.id)).embeds?.[0]?.title).toMatch(/^bob bought/);

      const show = fake.slashCommand({ name: 'market', subcommand: 'show', user: 'carol', channel: 'markets', options: [option.string('market', marketId)] });
      await fake.waitUntil(() => fake.callback(show.id)?.type === InteractionResponseType.DeferredChannelMessageWithSource);
      crux.child.kill('SIGTERM');
      expect(await crux.exited).toEqual({ code: 0, signal: null });
      expect(crux.stdout).toContain('SIGTERM: finishing interactions in flight, then stopping.');
      expect(fake.originalResponse(show.id)?.embeds[0]?.title).toBe('Will the bot stop gracefully?');
      expect(crux.stderr).not.toContain(fake.botToken);

      assertVerifies(database);
      const db = openDatabase(database);
      expect(timesApplied(db, bet.id)).toBe(1);
      db.close();
    } finally {
      await fake.close();
    }
  });
});

describe('the console stops gracefully', () => {
  it('answers the line in hand on SIGTERM, closes the database and exits 0', async () => {
    const crux = spawnCrux(['--load-claims', 'claims/starter.json'], { CRUX_DATABASE: database });
    crux.child.stdin.write('/as dana\n/bet market:rome-genuine-power-seeking outcome:Yes amount:25 --request first\n');
    await crux.waitForOutput('done first');
    crux.child.kill('SIGTERM');
    expect(await crux.exited).toEqual({ code: 0, signal: null });
    expect(crux.stdout).toContain('dana bought');
    assertVerifies(database);
  });
});

describe('startup refuses a database it cannot trust, and serves it read-only on request', () => {
  it('serves reads through Discord read-only and refuses a bet privately, in words', async () => {
    const fake = await startFakeDiscord({ guild: CRUX_GUILD, heartbeatIntervalMs: 1_000 });
    seedDatabase(fake.guild.id);
    try {
      const crux = spawnCrux(['--read-only'], { DISCORD_TOKEN: fake.botToken, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, CRUX_DATABASE: database });
      await crux.waitForOutput('Crux is connected to Discord as');
      const show = fake.slashCommand({ name: 'market', subcommand: 'show', user: 'alice', channel: 'markets', options: [option.string('market', 'seeded-market')] });
      await fake.waitUntil(() => fake.originalResponse(show.id)?.embeds[0]?.title === 'Will seeded-market hold up under load?');
      const bet = betThroughDiscord(fake, 'alice', 'seeded-market', 5);
      const refused = messageOf(await fake.waitForCallback(bet.id));
      expect(refused.content).toMatch(/^⚠️ Crux is running read-only for now/);
      expect((refused.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
      crux.child.kill('SIGTERM');
      expect(await crux.exited).toEqual({ code: 0, signal: null });
      expect(crux.stderr).toBe('');
    } finally {
      await fake.close();
    }
  });

  it('refuses a schema newer than the code, then serves it with --read-only, refusing changes in words', async () => {
    seedDatabase();
    const db = openDatabase(database);
    db.pragma(`user_version = ${latestVersion() + 1}`);
    db.close();

    const refused = spawnCrux([], { CRUX_DATABASE: database });
    refused.child.stdin.end();
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr).toContain(`Crux will not start — The database is at schema version ${latestVersion() + 1}`);
    expect(refused.stderr).toContain('npm start -- --read-only');

    const readOnly = spawnCrux(['--read-only'], { CRUX_DATABASE: database });
    readOnly.child.stdin.end('/market list status:all\n/as dana\n/portfolio\n/bet market:seeded-market outcome:Yes amount:5\n');
    expect(await readOnly.exited).toEqual({ code: 0, signal: null });
    expect(readOnly.stderr).toBe('');
    expect(readOnly.stdout).toContain('seeded-market');
    expect(readOnly.stdout).toContain('⚠️ Crux is running read-only for now');
    expect(readOnly.stdout).not.toContain('dana bought');
  });

  it('keeps a checkpoint when it starts, and refuses to start when the checkpoint fails its checksum', async () => {
    seedDatabase();
    const first = spawnCrux([], { CRUX_DATABASE: database });
    first.child.stdin.end();
    expect((await first.exited).code).toBe(0);
    const db = openDatabase(database);
    const lastId = db.prepare<[], { id: number }>('SELECT MAX(id) AS id FROM ledger').get()?.id;
    expect(db.prepare<[], { ledger_id: number }>('SELECT ledger_id FROM ledger_checkpoint').get()?.ledger_id).toBe(lastId);
    db.prepare(`UPDATE ledger_checkpoint SET summary = replace(summary, 'dana', 'dina')`).run();
    db.close();

    const refused = spawnCrux([], { CRUX_DATABASE: database });
    refused.child.stdin.end();
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr).toContain(`the ledger checkpoint at entry ${lastId} fails its checksum`);
    expect(refused.stderr).toContain('npm start -- --read-only');
  });

  it('refuses a ledger that does not verify, naming the problem, then serves it with --read-only', async () => {
    seedDatabase();
    const db = openDatabase(database);
    db.prepare(`UPDATE accounts SET balance = balance + 1 WHERE id = 'user:console:dana'`).run();
    db.close();

    const refused = spawnCrux([], { CRUX_DATABASE: database });
    refused.child.stdin.end();
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr).toContain('does not verify');
    expect(refused.stderr).toContain('account user:console:dana: stored balance');
    expect(refused.stderr).toContain('npm start -- --read-only');

    const readOnly = spawnCrux(['--read-only'], { CRUX_DATABASE: database });
    readOnly.child.stdin.end('/market show market:seeded-market\n/mod close market:seeded-market\n');
    expect(await readOnly.exited).toEqual({ code: 0, signal: null });
    expect(readOnly.stdout).toContain('Warning: the ledger does not verify');
    expect(readOnly.stdout).toContain('Will seeded-market hold up under load?');
    expect(readOnly.stdout).toContain('⚠️ Crux is running read-only for now');
  });
});
