import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * A new temporary folder for each test of the file that calls this at its top level, removed once the test is over.
 * Called before the file's own hooks: its `beforeEach` runs first, and its removal last, after the file's own
 * `afterEach` has closed what it opened there (vitest unwinds `afterEach` hooks as a stack). Returns the current
 * test's folder.
 */
export function folderForEachTest(prefix: string): () => string {
  let folder: string | undefined;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });
  return () => {
    if (folder === undefined) throw new Error('a test folder exists only while a test runs');
    return folder;
  };
}
