import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteConditionStore } from '../../db/cruxes-store.ts';
import { SqliteEvidenceStore } from '../../db/evidence-store.ts';
import { latestVersion, migrate, migrations } from '../../db/migrate.ts';
import { SqliteNotificationStore } from '../../db/notifications-store.ts';
import { SqliteSettlementStore } from '../../db/settlement-store.ts';
import { SqliteStore } from '../../db/sqlite-store.ts';
import { verify } from '../../db/verify.ts';
import { EvidenceService } from '../../markets/evidence/service.ts';
import { MarketService } from '../../markets/service.ts';
import { NotificationService } from '../../markets/notifications/service.ts';
import type { MarketEventSink } from '../../markets/events.ts';
import { SettlementService } from '../../markets/settlement/service.ts';
import { DAY, ok, T0 } from '../support/engine.ts';
import { rewindSchema, versionBefore } from '../support/schema.ts';

const alice = { realm: 'g1', actor: { userId: 'alice', displayName: 'alice', isModerator: false }, now: T0 };
const bob = { ...alice, actor: { userId: 'bob', displayName: 'bob', isModerator: false } };

/** The schema just before the conversation's migration, whatever other migrations land before it. */
const previous = versionBefore('_conversation.sql');

describe(`migrating a schema-${previous} database to the conversation`, () => {
  it('(written today and rewound to that schema) keeps its markets, money and positions, and the new tables take evidence, threads and DMs for them', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    for (const migration of migrations()) db.exec(migration.sql);
    const store = new SqliteStore(db);
    const settings = () => ({ startingGrant: 1_000_000, dailyAllowance: 0, defaultLiability: 100 });
    const conditions = new SqliteConditionStore(db);
    const engine = (events?: MarketEventSink) => {
      const settlements = new SettlementService(store, new SqliteSettlementStore(db), () => ({ windowMs: 0, recusalRequired: false, recusalMs: 0, quorumPool: 0 }), conditions, events);
      return new MarketService(store, settings, settlements, conditions, events);
    };
    const before = engine();
    ok(before.openMarket({ id: 'rome', question: 'Will ROME replicate?', criteria: 'A second team.', closesAt: T0 + 30 * DAY, guildId: 'g1', channelId: 'c1' }, alice));
    ok(before.buy({ marketId: 'rome', outcome: 'Yes', amount: 10_000 }, bob));
    rewindSchema(db, previous);
    const balances = db.prepare('SELECT id, balance FROM accounts ORDER BY id').all();

    migrate(db, { readonly: false });
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare('SELECT id, balance FROM accounts ORDER BY id').all()).toEqual(balances);
    expect(verify(db).ok).toBe(true);

    const notes = new SqliteNotificationStore(db);
    const notifications = new NotificationService(store, notes, () => ({ threadMode: true, reasonPoints: 10, alertPoints: 10 }));
    const after = engine(notifications.record);
    const evidence = new EvidenceService(store, new SqliteEvidenceStore(db), notifications.record);
    const { item } = ok(evidence.add({ marketId: 'rome', url: 'https://example.org/a', stance: 'for' }, bob));
    expect(item.number).toBe(1);
    notifications.recordThread('rome', '555', T0);
    ok(after.resolveMarket('rome', 'Yes', 'https://example.org/b', { ...alice, actor: { userId: 'mod', isModerator: true } }));
    expect(notifications.claimThreadBatch('rome', T0)?.entries.flatMap((e) => e.notices.map((n) => n.kind))).toEqual(['evidence', 'settled']);
    const dm = notifications.claimNextDm(T0);
    expect([dm?.userId, dm?.notices[0]?.kind]).toEqual(['bob', 'settled']);
    expect(notifications.claimNextDm(T0)).toBeUndefined();
    expect(verify(db).ok).toBe(true);
    db.close();
  });
});
