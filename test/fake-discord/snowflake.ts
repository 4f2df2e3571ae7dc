const DISCORD_EPOCH_MS = 1_420_070_400_000n;
const MAX_SEQUENCE = 0xfffn;

let lastTimestamp = 0n;
let sequence = 0n;

/**
 * A Discord-style snowflake (ms since the Discord epoch << 22 | sequence).
 * Ids stay strictly increasing even within one millisecond, because discord.js
 * and our stores sort messages by id.
 */
export function nextSnowflake(): string {
  const now = BigInt(Date.now()) - DISCORD_EPOCH_MS;
  if (now > lastTimestamp) {
    lastTimestamp = now;
    sequence = 0n;
  } else if (sequence < MAX_SEQUENCE) {
    sequence += 1n;
  } else {
    lastTimestamp += 1n;
    sequence = 0n;
  }
  return ((lastTimestamp << 22n) | sequence).toString();
}

/** lcm(1..16): a timestamp that is a multiple of it is shard 0 of every shard count up to 16. */
const SHARD_ALIGNMENT_MS = 720_720n;
const WITHIN_MS_BITS = (1n << 22n) - 1n;
let alignedIssued = 0n;

/**
 * Ids for a list of guilds such that guild `index` lands on shard `index % n` for every shard count `n` up to 16, as
 * Discord places a guild on shard `(id >> 22) % n`: guilds listed in turn are spread over the shards. The low bits
 * count up, so every guild id of the process is distinct.
 */
export function shardAlignedSnowflakes(): (index: number) => string {
  const now = BigInt(Date.now()) - DISCORD_EPOCH_MS;
  const base = now - (now % SHARD_ALIGNMENT_MS);
  return (index) => {
    alignedIssued += 1n;
    return (((base + BigInt(index)) << 22n) | (alignedIssued & WITHIN_MS_BITS)).toString();
  };
}

/** The shard Discord sends a guild's events on, of `shardCount`. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
