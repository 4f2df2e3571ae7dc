import { closeSync, fsyncSync, openSync, renameSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The same file under either name (a link to it too), not merely the same path. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const [first, second] = [statSync(a, { throwIfNoEntry: false }), statSync(b, { throwIfNoEntry: false })];
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
}

function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Moves a finished file into place so that, even across a power cut, `to` is either the old file or all of
 * the new one: the contents are flushed before the rename, so it cannot land as an empty file, and the
 * directory after it, which is what makes the rename itself stick.
 */
export function replaceDurably(from: string, to: string): void {
  fsyncPath(from, 'r+');
  renameSync(from, to);
  // Windows cannot open a directory to flush it; NTFS journals the rename by itself.
  if (process.platform !== 'win32') fsyncPath(dirname(to), 'r');
}
