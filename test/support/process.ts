import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { waitUntil } from '../fake-discord/wait.ts';
import { errorMessage } from '../../markets/errors.ts';

export interface CruxProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stdout contains `text`; fails with both streams after the timeout. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the bot as `npm run dev` does (node with tsx on bot/main.ts): the tests check the TypeScript as it stands. */
export function spawnCrux(args: readonly string[], env: Record<string, string>, as: RunAs = {}): CruxProcess {
  return spawnScript('bot/main.ts', args, env, as);
}

/**
 * Runs the bot as `npm start` does once it has compiled: plain node on dist/bot/main.js, which must be current.
 * `nodeArgs` (`--trace-gc`, say) reach its shards' processes too, which are forked with the bot's own.
 */
export function spawnBuiltCrux(args: readonly string[], env: Record<string, string>, nodeArgs: readonly string[] = []): CruxProcess {
  return spawnNode([...nodeArgs, 'dist/bot/main.js', ...args], env);
}

/** Runs npm itself (`npm start`, say) in this project, with only PATH inherited. */
export function spawnNpm(args: readonly string[], env: Record<string, string>): CruxProcess {
  return spawnChild('npm', args, env);
}

/** Another user to run the child as (only root may ask), so file permissions apply to it. */
export interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * Runs one of Crux's entry scripts as a child with tsx, with only PATH inherited, so no developer's environment or
 * token leaks into a test.
 */
export function spawnScript(script: string, args: readonly string[], env: Record<string, string>, as: RunAs = {}): CruxProcess {
  return spawnNode(['--import', 'tsx', script, ...args], env, as);
}

/** Runs plain node with `nodeArgs` as a child (in `cwd`, as another user), with only PATH inherited. */
export function spawnNode(nodeArgs: readonly string[], env: Record<string, string>, options: RunAs & { cwd?: string } = {}): CruxProcess {
  return spawnChild(process.execPath, nodeArgs, env, options);
}

function spawnChild(command: string, args: readonly string[], env: Record<string, string>, options: RunAs & { cwd?: string } = {}): CruxProcess {
  const child = spawn(command, args, {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Writing to a child that was just killed fails with EPIPE; the test decides what a dead child means.
  child.stdin.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async waitForOutput(text, timeoutMs = 45_000) {
      try {
        await waitUntil(() => stdout.includes(text), `"${text}" on stdout`, { timeoutMs });
      } catch (error) {
        throw new Error(`${errorMessage(error)}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      }
    },
    exited,
  };
}

/** Runs an entry script to its end, feeding it `input` on stdin, and returns how it exited and what it printed. */
export async function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  input = '',
  as: RunAs = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnScript(script, args, env, as);
  run.child.stdin.end(input);
  const { code } = await run.exited;
  return { code, stdout: run.stdout, stderr: run.stderr };
}
