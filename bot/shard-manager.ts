import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { REST, Routes, ShardingManager } from 'discord.js';
import { z } from 'zod';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/** What `GET /gateway/bot` says that sharding needs. */
const gatewayBotSchema = z.object({
  shards: z.number().int().min(1),
  session_start_limit: z.object({ max_concurrency: z.number().int().min(1) }),
});

/** Discord lets `max_concurrency` shards identify in each 5 s; ShardingManager's own spacing is 5.5 s. */
const IDENTIFY_WINDOW_MS = 5_500;
/** A shard process starts Node (and tsx), opens the database and connects: slow on a loaded machine. */
const SHARD_READY_TIMEOUT_MS = 60_000;

export interface ShardPlan {
  shards: number;
  /** How long to wait after starting each shard before the next, so identifies stay within Discord's limit. */
  spawnDelayMs: number;
}

/**
 * How many shards to run (CRUX_SHARDS, or Discord's recommendation for `auto`) and how far apart to start them, from
 * Discord's `GET /gateway/bot` (which throws a DiscordAPIError 401 for a token Discord refuses).
 */
export async function shardPlan(config: Pick<Config, 'CRUX_SHARDS' | 'DISCORD_API_BASE'>, token: string): Promise<ShardPlan> {
  const gateway = gatewayBotSchema.parse(await new REST({ api: config.DISCORD_API_BASE }).setToken(token).get(Routes.gatewayBot()));
  return {
    shards: config.CRUX_SHARDS === 'auto' ? gateway.shards : config.CRUX_SHARDS,
    spawnDelayMs: Math.ceil(IDENTIFY_WINDOW_MS / gateway.session_start_limit.max_concurrency),
  };
}

export interface ShardManagerOptions {
  /** The bot's own entry script: each shard is it, run with `shardArgs`. */
  entry: string;
  token: string;
  plan: ShardPlan;
  /** Passed to each shard after the entry (`--shard`, and `--read-only` when the manager was given it). */
  shardArgs: string[];
  log: Logger;
  say(text: string): void;
}

export interface RunningShards {
  /** Stops respawning, asks every shard to finish what is in flight and stop (SIGTERM), and waits for them. */
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess | Worker): Record<string, unknown> {
  return child instanceof ChildProcess ? { code: child.exitCode, signal: child.signalCode } : {};
}

/**
 * Runs one process per shard with discord.js's ShardingManager, and starts any that exits again. Each is the bot's
 * entry forked with this process's `execArgv` (under tsx, its loader, since the entry is TypeScript; none for the
 * built JavaScript). Resolves once every shard is connected; a shard that dies or times out before then stops them
 * all and rejects.
 */
export async function startShards(options: ShardManagerOptions): Promise<RunningShards> {
  const { plan, log } = options;
  const manager = new ShardingManager(options.entry, {
    totalShards: plan.shards,
    token: options.token,
    shardArgs: options.shardArgs,
    execArgv: process.execArgv,
    respawn: true,
  });
  let stopping = false;
  manager.on('shardCreate', (shard) => {
    shard.on('death', (child) => {
      if (!stopping) log('a shard process exited; starting it again', { shard: shard.id, ...exitOf(child) });
    });
    // Without a listener, a respawn that fails would be thrown as an unhandled 'error' and end the manager.
    shard.on('error', (error: unknown) => log('a shard process could not be started again', { shard: shard.id, error: String(error) }));
  });
  const stop = async () => {
    stopping = true;
    manager.respawn = false;
    await Promise.all(
      manager.shards.map(async (shard) => {
        const child = shard.process;
        if (child === null || child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        shard.kill();
        await exited;
      }),
    );
  };
  options.say(`Crux runs ${plan.shards} shards, one process each.`);
  try {
    await manager.spawn({ amount: plan.shards, delay: plan.spawnDelayMs, timeout: SHARD_READY_TIMEOUT_MS });
  } catch (error) {
    await stop();
    throw error;
  }
  options.say(`All ${plan.shards} shards are connected.`);
  return { stop };
}
