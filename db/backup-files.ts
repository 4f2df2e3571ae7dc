import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

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
