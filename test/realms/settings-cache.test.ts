import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from '../../db/open.ts';
import { SqliteRealmSettingsStore } from '../../db/realms-store.ts';
import { folderForEachTest } from '../support/folder.ts';

const dir = folderForEachTest('crux-settings-cache-');

it("a server's settings, read again, are what is stored now: after another process's change, and never a rolled-back one", () => {
  const path = join(dir(), 'crux.sqlite');
  const here = openDatabase(path);
  const elsewhere = openDatabase(path);
  const store = new SqliteRealmSettingsStore(here);
  const otherProcess = new SqliteRealmSettingsStore(elsewhere);

  store.saveSetting('g1', 'rateLimitPerMinute', 10, 'mod', 1);
  expect(store.storedSettings('g1').get('rateLimitPerMinute')).toBe(10);
  expect(store.storedSettings('g1').get('rateLimitPerMinute')).toBe(10);

  // Another shard's moderator changes it: the next read here sees it.
  otherProcess.saveSetting('g1', 'rateLimitPerMinute', 25, 'mod', 2);
  expect(store.storedSettings('g1').get('rateLimitPerMinute')).toBe(25);

  // A change here that rolls back is neither served nor kept.
  expect(() =>
    here.transaction(() => {
      store.saveSetting('g1', 'rateLimitPerMinute', 99, 'mod', 3);
      expect(store.storedSettings('g1').get('rateLimitPerMinute')).toBe(99);
      throw new Error('refused');
    })(),
  ).toThrow('refused');
  expect(store.storedSettings('g1').get('rateLimitPerMinute')).toBe(25);

  // What a caller does to the map it got changes nothing stored.
  store.storedSettings('g1').set('rateLimitPerMinute', 1);
  expect(store.storedSettings('g1').get('rateLimitPerMinute')).toBe(25);
  elsewhere.close();
  here.close();
});
