export interface WaitOptions {
  /** How long to wait before failing; defaults to 5 seconds. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
// Polling (rather than change events) also lets tests wait on discord.js state the fake cannot observe.
const POLL_INTERVAL_MS = 10;

/**
 * Resolves with the first value `probe` returns other than undefined.
 * Rejects after the timeout with `description` so a failing test says what it was waiting for.
 */
export function waitForValue<T>(
  probe: () => T | undefined,
  description: string,
  { timeoutMs = DEFAULT_TIMEOUT_MS }: WaitOptions = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      const value = probe();
      if (value !== undefined) {
        resolve(value);
      } else if (Date.now() >= deadline) {
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`));
      } else {
        setTimeout(check, POLL_INTERVAL_MS);
      }
    };
    check();
  });
}

export async function waitUntil(condition: () => boolean, description: string, options?: WaitOptions): Promise<void> {
  await waitForValue(() => (condition() ? true : undefined), description, options);
}
