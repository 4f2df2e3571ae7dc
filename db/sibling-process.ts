import { type ChildProcess, fork } from 'node:child_process';
import { constants, setPriority } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ownExtension = extname(fileURLToPath(import.meta.url));
/** Run from the TypeScript sources (tests, `npm start` through tsx), a child needs tsx's loader; built, it is plain JS. */
const LOADER = ownExtension === '.ts' && !process.execArgv.some((arg) => arg.includes('tsx')) ? ['--import', 'tsx'] : [];

/**
 * Starts `name` (a script beside this one in db/, named without its extension) as a child process with an IPC
 * channel, at `priority` (default: the lowest). `execArgv` is added to this process's own Node options.
 */
export function forkSibling(name: string, args: readonly string[], { priority = constants.priority.PRIORITY_LOW, execArgv = [] }: { priority?: number; execArgv?: readonly string[] } = {}): ChildProcess {
  const script = fileURLToPath(new URL(`./${name}${ownExtension}`, import.meta.url));
  const child = fork(script, args, { execArgv: [...process.execArgv, ...LOADER, ...execArgv], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, priority);
    } catch {
      // Lowering a child's priority is a courtesy; where the system refuses it, the child runs at normal priority.
    }
  }
  return child;
}

/**
 * Keeps what `child` writes to stderr, to say why it ended: `: ` and the first line it wrote (the error that stopped
 * it), or nothing if it wrote none.
 */
export function stderrReason(child: ChildProcess): () => string {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return () => (stderr === '' ? '' : `: ${stderr.trim().split('\n')[0]}`);
}
