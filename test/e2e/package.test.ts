import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type APIEmbed, InteractionResponseType } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../bot/commands/index.ts';
import { parseClaimPack } from '../../markets/claims.ts';
import { MARKET_MOD_ROLE, option, startFakeDiscord, type FakeDiscord, type RecordedCallback } from '../fake-discord/index.ts';
import { CRUX_GUILD } from '../support/discord.ts';
import { type CruxProcess, spawnNode, spawnNpm } from '../support/process.ts';
import { marketKeyOnCard } from '../support/cards.ts';

/**
 * Crux as a package (issue 17): `npm pack` builds and packs it, the tarball is unpacked into a scratch host project
 * (plain JavaScript, no TypeScript, no tsx) whose dependencies resolve only to what the tarball's package.json
 * declares, and the host bots in package-hosts/ run it against the fake Discord.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOSTS = fileURLToPath(new URL('./package-hosts/', import.meta.url));
const PACKAGE = 'crux-markets';
const run = promisify(execFile);

let scratch: string;
let hostDir: string;

/**
 * Unpacks the tarball into the host's node_modules as `npm install` would, and links only the dependencies its
 * package.json declares (discord.js among them, which the host shares) from this project's node_modules: anything
 * the package needs but does not declare or ship fails to load.
 */
async function installTarball(tarballName: string): Promise<void> {
  const modules = join(hostDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  await run('tar', ['-xzf', join(scratch, tarballName), '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, PACKAGE));
  const manifest = JSON.parse(readFileSync(join(modules, PACKAGE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies)) {
    mkdirSync(dirname(join(modules, dependency)), { recursive: true });
    symlinkSync(realpathSync(join(ROOT, 'node_modules', dependency)), join(modules, dependency), 'dir');
  }
  const host = { name: 'host-bot', private: true, type: 'module', dependencies: { [PACKAGE]: `file:../${tarballName}`, 'discord.js': manifest.dependencies['discord.js'] } };
  writeFileSync(join(hostDir, 'package.json'), JSON.stringify(host));
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'crux-package-'));
  hostDir = join(scratch, 'host');
  // npm pack runs `prepare`, the build: the tarball is exactly what a registry or a git install would hand a host.
  await run('npm', ['pack', '--pack-destination', scratch], { cwd: ROOT });
  const [tarball] = readdirSync(scratch).filter((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${scratch}`);
  await installTarball(tarball);
  for (const host of readdirSync(HOSTS)) copyFileSync(join(HOSTS, host), join(hostDir, host));
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

let fake: FakeDiscord | undefined;
let host: CruxProcess | undefined;
afterEach(async () => {
  host?.child.kill('SIGKILL');
  await host?.exited;
  await fake?.close();
  host = undefined;
  fake = undefined;
});

async function startHost(script: string, databaseName: string): Promise<{ fake: FakeDiscord; host: CruxProcess }> {
  fake = await startFakeDiscord({ guild: CRUX_GUILD });
  host = spawnNode(
    [script],
    {
      DISCORD_TOKEN: fake.botToken,
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_GUILD_ID: fake.guild.id,
      HOST_CRUX_DATABASE: join(scratch, databaseName),
      HOST_MODERATOR_ROLE: MARKET_MOD_ROLE,
    },
    { cwd: hostDir },
  );
  await host.waitForOutput('host ready', 30_000);
  return { fake, host };
}

type Data = { content?: string | null; embeds?: APIEmbed[]; choices?: unknown[]; components?: { components: { custom_id?: string }[] }[] };

function dataOf(callback: RecordedCallback): Data {
  return 'data' in callback && callback.data !== undefined ? (callback.data as Data) : {};
}

const QUESTION = 'Will a replication of the ROME result be published by 2027?';

async function openMarket(discord: FakeDiscord): Promise<string> {
  const opened = discord.slashCommand({
    name: 'crux-market',
    subcommand: 'open',
    user: 'alice',
    channel: 'markets',
    options: [option.string('question', QUESTION), option.string('criteria', 'YES if an independent team publishes one.'), option.string('closes', '2027-12-31')],
  });
  const card = dataOf(await discord.waitForCallback(opened.id)).embeds?.[0];
  expect(card?.title).toBe(QUESTION);
  return marketKeyOnCard(card);
}

// Each test starts a Node process that loads discord.js and Crux from scratch: slow on a busy machine.
describe('Crux installed from its npm tarball', { timeout: 90_000 }, () => {
  it('runs in a plain ESM host beside its /ping and button, answers only its own, and stop() leaves the host running', async () => {
    const { fake: discord, host: bot } = await startHost('host.mjs', 'esm.sqlite');

    const registrations = discord.requests.filter((request) => request.method === 'PUT' && request.path.endsWith('/commands'));
    expect(registrations).toHaveLength(1);
    expect(discord.registeredCommands(discord.guild.id).map((command) => command.name)).toEqual(['ping', ...COMMANDS.map((command) => `crux-${command.data.name}`)]);

    const ping = discord.slashCommand({ name: 'ping', user: 'alice', options: [option.string('word', 'hi')] });
    expect(dataOf(await discord.waitForCallback(ping.id)).content).toBe('pong from the host hi');
    const typed = discord.autocomplete({ name: 'ping', user: 'alice', focused: { name: 'word', value: 'he' } });
    const suggested = await discord.waitForCallback(typed.id);
    expect(suggested.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    expect(dataOf(suggested).choices).toEqual([{ name: 'hello from the host', value: 'hello' }]);
    const again = discord.buttonPress({ customId: 'host:again', user: 'alice', messageId: discord.originalResponse(ping.id)?.id ?? '' });
    expect(dataOf(await discord.waitForCallback(again.id)).content).toBe('pong again, from the host');

    const marketId = await openMarket(discord);
    const bet = discord.slashCommand({
      name: 'crux-bet',
      user: 'bob',
      channel: 'markets',
      options: [option.string('market', marketId), option.string('outcome', 'Yes'), option.integer('amount', 50)],
    });
    const bought = dataOf(await discord.waitForCallback(bet.id));
    expect(bought.embeds?.[0]?.title).toMatch(/^bob bought [\d.]+ Yes shares$/);
    // The host set no allowedMentions on its client; Crux's own messages still ping no one.
    const betCallback = discord.requests.find((request) => request.path.startsWith(`/interactions/${bet.id}/`));
    expect(betCallback?.body).toMatchObject({ data: { allowed_mentions: { parse: [] } } });
    const resolve = discord.slashCommand({
      name: 'crux-mod',
      subcommand: 'resolve',
      user: 'moderator',
      channel: 'markets',
      options: [option.string('market', marketId), option.string('outcome', 'Yes'), option.string('evidence', 'https://example.org/replication')],
    });
    const confirmId = dataOf(await discord.waitForCallback(resolve.id)).components?.[0]?.components[0]?.custom_id ?? '';
    expect(confirmId).toMatch(/^crux:confirm:/);
    const confirm = discord.buttonPress({ customId: confirmId, user: 'moderator', messageId: discord.originalResponse(resolve.id)?.id ?? '' });
    await discord.waitUntil(() => discord.followUps(confirm.id).length === 1, { description: 'the confirmed resolution is posted' });
    // The host set no dispute window, so the default one holds the payouts.
    expect(discord.followUps(confirm.id)[0]?.embeds[0]?.title).toBe(`⏳ ✅ ${marketId} resolved Yes — pending`);

    // By now Crux has answered its own interactions; it must have answered none of the host's, nor logged them.
    for (const hosts of [ping, typed, again]) {
      expect(discord.requests.filter((request) => request.path.startsWith(`/interactions/${hosts.id}/`))).toHaveLength(1);
      expect(bot.stderr).not.toContain(hosts.id);
    }

    bot.child.stdin.write('stop crux\n');
    await bot.waitForOutput('crux stopped');
    const late = discord.slashCommand({ name: 'crux-market', subcommand: 'list', user: 'alice' });
    const pingAfter = discord.slashCommand({ name: 'ping', user: 'alice' });
    expect(dataOf(await discord.waitForCallback(pingAfter.id)).content).toBe('pong from the host');
    // Crux answers a list within milliseconds; a second's silence means it no longer listens.
    await sleep(1_000);
    expect(discord.callback(late.id)).toBeUndefined();

    // Stopped Crux holds nothing open (no timer, no database), so closing the host's input ends it cleanly.
    bot.child.stdin.end();
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(discord.unhandledRequests).toEqual([]);
  });

  it("the README's host bot imports the package (no relative path) and is valid JavaScript", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((block) => block[1] ?? '').find((code) => code.includes('installCrux(client'));
    expect(example).toContain(`from '${PACKAGE}'`);
    const path = join(hostDir, 'readme-host.mjs');
    writeFileSync(path, example ?? '');
    await expect(run(process.execPath, ['--check', path])).resolves.toMatchObject({ stderr: '' });
  });

  it('runs in a CommonJS host that loads it with await import(), with the starter claims shipped in the package', async () => {
    const { fake: discord, host: bot } = await startHost('host.cjs', 'cjs.sqlite');
    const starter = parseClaimPack(readFileSync(join(ROOT, 'claims/starter.json'), 'utf8'));
    const loaded = /Claim pack \S+starter\.json: opened (\d+) market.*; (\d+) already present or past their close/.exec(bot.stdout);
    expect(Number(loaded?.[1]) + Number(loaded?.[2])).toBe(starter.claims.length);
    expect(discord.registeredCommands(discord.guild.id).map((command) => command.name)).toEqual(COMMANDS.map((command) => `crux-${command.data.name}`));
    expect(await openMarket(discord)).not.toBe('');
    bot.child.stdin.end();
    expect(await bot.exited).toEqual({ code: 0, signal: null });
  });
});

// In this file, after the pack: `npm pack` rebuilds dist/ from scratch, and npm start's compile in another file
// running beside it would race that.
describe('npm start', { timeout: 90_000 }, () => {
  it('compiles the TypeScript into dist/ and runs it with plain node: the console, on the database it is given', async () => {
    const database = join(scratch, 'npm-start.sqlite');
    const started = spawnNpm(['start', '--', '--load-claims', 'claims/starter.json'], { CRUX_DATABASE: database });
    await started.waitForOutput('Type /help for commands.', 60_000);
    started.child.stdin.end('/as dana\n/bet market:rome-genuine-power-seeking outcome:Yes amount:25\n');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    // npm echoes the script it runs: the bot itself is plain node on the compiled entry, with no tsx loader.
    expect(started.stdout).toContain('> node dist/bot/main.js --load-claims claims/starter.json');
    expect(started.stdout).toContain('opened 5 market(s)');
    expect(started.stdout).toContain('dana bought');
    expect(started.stderr).toBe('');
  });
});
