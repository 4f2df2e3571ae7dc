import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Events } from 'discord.js';
import cron from 'node-cron';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConfigError } from '../../bot/config.ts';
import { installCrux } from '../../bot/plugin.ts';
import { openDatabase } from '../../db/open.ts';

let client: Client;
let dir: string;
beforeEach(() => {
  client = new Client({ intents: [] });
  dir = mkdtempSync(join(tmpdir(), 'crux-plugin-'));
});
afterEach(async () => {
  await client.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Crux's scheduled close job, once per install that runs jobs. */
const closeJobsRunning = () => [...cron.getTasks().values()].filter((task) => task.name === 'close-due-markets' && task.getStatus() !== 'stopped').length;

it('starts the scheduled jobs when the client is ready, unless the host says jobs: false', async () => {
  const withJobs = installCrux(client, { db: ':memory:', config: {} });
  const withoutJobs = installCrux(client, { db: ':memory:', config: {}, jobs: false });
  expect(closeJobsRunning()).toBe(0);
  client.emit(Events.ClientReady, client as Client<true>);
  expect(closeJobsRunning()).toBe(1);
  await withJobs.stop();
  await withoutJobs.stop();
  expect(closeJobsRunning()).toBe(0);
});

it('closes on stop() a database it opened from a path, and leaves open a handle it was given', async () => {
  const path = join(dir, 'nested', 'crux.sqlite');
  const fromPath = installCrux(client, { db: path, config: {} });
  expect(existsSync(path)).toBe(true);
  const handle = openDatabase(':memory:');
  const fromHandle = installCrux(client, { db: handle, config: {} });
  expect(fromHandle.db).toBe(handle);
  await fromPath.stop();
  await fromHandle.stop();
  expect(fromPath.db.open).toBe(false);
  expect(handle.open).toBe(true);
  handle.close();
});

it('takes its settings from an object, typed or as text, and refuses a bad one before opening anything', () => {
  const crux = installCrux(client, { db: openDatabase(':memory:'), config: { CRUX_STARTING_GRANT: 250, CRUX_DAILY_ALLOWANCE: '5' } });
  expect([crux.app.config.CRUX_STARTING_GRANT, crux.app.config.CRUX_DAILY_ALLOWANCE]).toEqual([250, 5]);
  const path = join(dir, 'never.sqlite');
  expect(() => installCrux(client, { db: path, config: { CRUX_STARTING_GRANT: 'lots' } })).toThrow(ConfigError);
  expect(() => installCrux(client, { db: path, config: {}, commandPrefix: 'Crux ' })).toThrow(ConfigError);
  expect(existsSync(path)).toBe(false);
  crux.db.close();
});
