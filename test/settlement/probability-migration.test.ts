import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { latestVersion } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { verify } from '../../db/verify.ts';
import type { Context } from '../../markets/service.ts';
import { DAY, ok, T0, testEngine } from '../support/engine.ts';
import { rewindSchema } from '../support/schema.ts';
import { folderForEachTest } from '../support/folder.ts';

const moderator = (now = T0): Context => ({ realm: 'console', actor: { userId: 'mod', isModerator: true }, now });
const member = (userId: string, now = T0): Context => ({ realm: 'console', actor: { userId, isModerator: false }, now });

const dir = folderForEachTest('crux-migration-012-');
let database: string;
beforeEach(() => {
  database = join(dir(), 'crux.sqlite');
});

/**
 * A database as schema 011 leaves it: a binary market resolved No and a three-outcome market resolved C, both paid.
 * Migration 012 only adds two columns (and later ones only add too), so removing them gives exactly what 011 wrote;
 * the test checks that first.
 */
function writtenBy011(): void {
  const engine = testEngine({}, database);
  const open = (id: string, outcomes?: string[]) =>
    ok(engine.service.openMarket({ id, question: `Will ${id} hold?`, criteria: 'YES.', closesAt: T0 + 30 * DAY, ...(outcomes && { outcomes }) }, moderator()));
  open('binary');
  open('three', ['A', 'B', 'C']);
  ok(engine.service.buy({ marketId: 'binary', outcome: 'No', amount: 20_000 }, member('alice')));
  ok(engine.service.buy({ marketId: 'three', outcome: 'C', amount: 20_000 }, member('bob')));
  ok(engine.service.resolveMarket('binary', 'No', 'https://example.org/binary', moderator()));
  ok(engine.service.resolveMarket('three', 'C', 'https://example.org/three', moderator()));
  rewindSchema(engine.db, 11);
  expect(engine.db.prepare(`SELECT name FROM pragma_table_info('markets') WHERE name = 'resolved_probabilities'`).all()).toEqual([]);
  engine.db.close();
}

it('migrates a database written by schema 011: every resolution so far is certain of its outcome', () => {
  writtenBy011();
  const db = openDatabase(database);
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(verify(db).problems).toEqual([]);
    expect(db.prepare(`SELECT id, resolved_probabilities FROM markets ORDER BY id`).all()).toEqual([
      { id: 'binary', resolved_probabilities: '[0,100]' },
      { id: 'three', resolved_probabilities: '[0,0,100]' },
    ]);
    expect(db.prepare(`SELECT market_id, probabilities FROM settlements ORDER BY market_id`).all()).toEqual([
      { market_id: 'binary', probabilities: '[0,100]' },
      { market_id: 'three', probabilities: '[0,0,100]' },
    ]);
    const app = createApp(loadConfig({ CRUX_DATABASE: database }), db, () => {});
    const three = app.views.market('console', 'three');
    expect(three.market.resolution).toMatchObject({ outcome: 2 });
    expect(three.market.resolution?.probabilities).toBeUndefined();
    expect(three.settlement?.settlement).toMatchObject({ outcome: 2, status: 'applied' });
    // The migrated resolution corrects to a probability like any other.
    ok(app.resolution.correctResolution('binary', { outcome: 'No', split: { probability: 60 } }, 'https://example.org/partly', moderator(T0 + DAY)));
    expect(app.views.market('console', 'binary').market.resolution).toMatchObject({ outcome: 1, probabilities: [40, 60] });
    expect(verify(db).problems).toEqual([]);
  } finally {
    db.close();
  }
});
