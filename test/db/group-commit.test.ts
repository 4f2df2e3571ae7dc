import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../db/group-commit.ts';
import { openDatabase, type Db } from '../../db/open.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { folderForEachTest } from '../support/folder.ts';

/** A store on `db` whose syncs the test finishes by hand: `pending` holds each one asked for, in turn. */
function storeWithHeldSyncs(on: Db) {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  GroupCommit.attach(on, () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })));
  return { store: new SqliteStore(on), pending };
}

/** Whether `promise` has settled once everything already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const dir = folderForEachTest('crux-group-commit-');
let db: Db;
beforeEach(() => {
  db = openDatabase(join(dir(), 'crux.sqlite'), { groupCommit: true });
});
afterEach(() => {
  db.close();
});

let requests = 0;
const commit = (store: SqliteStore) => store.atomically(() => store.rememberRequest(`request-${(requests += 1)}`, { result: '{}', userId: null, fingerprint: null }, 0));

describe('group commit', () => {
  it('commits without a sync of its own; only a database opened for it does', () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const plain = openDatabase(join(dir(), 'plain.sqlite'));
    expect(plain.pragma('synchronous', { simple: true })).toBe(2);
    expect(GroupCommit.of(plain)).toBeUndefined();
    plain.close();
  });

  it('answers each waiter after a sync begun after its commit, one sync for all the commits made meanwhile', async () => {
    const { store, pending } = storeWithHeldSyncs(db);
    commit(store);
    const first = store.durable();
    expect(pending).toHaveLength(1);
    // Committed while the first sync runs: that sync may not have its pages, so these wait for the next.
    commit(store);
    commit(store);
    const second = store.durable();
    const third = store.durable();
    expect(pending).toHaveLength(1);
    pending[0]?.resolve();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    expect(pending).toHaveLength(2);
    pending[1]?.resolve();
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(true);
    // Nothing committed since: no sync to wait for.
    expect(await settled(store.durable())).toBe(true);
    expect(pending).toHaveLength(2);
  });

  it('syncs the WAL file itself by default', async () => {
    const store = new SqliteStore(db);
    commit(store);
    await expect(store.durable()).resolves.toBeUndefined();
  });

  it('stops writing after a failed sync, and says so in words', async () => {
    const { store, pending } = storeWithHeldSyncs(db);
    commit(store);
    const waiting = store.durable();
    pending[0]?.reject(new Error('EIO: i/o error, fsync'));
    await expect(waiting).rejects.toMatchObject({ code: 'storage_lost', message: expect.stringContaining('EIO') });
    expect(() => commit(store)).toThrow(/stopped saving changes/);
  });
});
