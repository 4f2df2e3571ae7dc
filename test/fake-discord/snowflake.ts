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
