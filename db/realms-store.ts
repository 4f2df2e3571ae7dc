import { z } from 'zod';
import type { RealmId } from '../markets/realms/realm.ts';
import type { RealmSettingsStore, SettingChangeRecord } from '../markets/realms/service.ts';
import { type RealmSettingKey, SETTING_KEYS } from '../markets/realms/settings.ts';
import type { Db } from './open.ts';
import { json, parseRow } from './rows.ts';

/** A stored setting's value, checked by the settings' own schemas where it is read (markets/realms/settings.ts). */
const settingValue = json(z.unknown());

const settingKey = z.enum(SETTING_KEYS as [RealmSettingKey, ...RealmSettingKey[]]);

const changeRow = z
  .object({
    id: z.number().int(),
    key: settingKey,
    old_value: json(z.unknown()).nullable(),
    new_value: json(z.unknown()).nullable(),
    changed_by: z.string(),
    changed_at: z.number().int(),
  })
  .transform(
    (row): SettingChangeRecord => ({ key: row.key, from: row.old_value, to: row.new_value, changedBy: row.changed_by, changedAt: row.changed_at }),
  );

/** Per-server settings and their history, over SQLite. */
export class SqliteRealmSettingsStore implements RealmSettingsStore {
  private readonly statements;
  /**
   * Each server's stored settings as last read outside a transaction, with the database's `data_version` then: every
   * interaction reads its server's settings (rate limit, moderator role, threads) several times, and they change
   * rarely. `data_version` moves whenever another connection (another shard, a CLI) commits, and this connection's
   * own writes drop the entry, so a value is never served after it changed.
   */
  private readonly cache = new Map<RealmId, { version: number; settings: ReadonlyMap<string, unknown> }>();

  constructor(private readonly db: Db) {
    this.statements = {
      stored: db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM realm_settings WHERE realm = ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      save: db.prepare(
        `INSERT INTO realm_settings (realm, key, value, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (realm, key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ),
      clear: db.prepare('DELETE FROM realm_settings WHERE realm = ? AND key = ?'),
      record: db.prepare(
        'INSERT INTO realm_setting_changes (realm, key, old_value, new_value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      changes: db.prepare<[string, number]>('SELECT * FROM realm_setting_changes WHERE realm = ? ORDER BY id DESC LIMIT ?'),
    };
  }

  storedSettings(realm: RealmId): Map<string, unknown> {
    // Inside a transaction the value may yet be rolled back: read it, but keep nothing.
    if (this.db.inTransaction) return this.read(realm);
    const version = Number(this.statements.dataVersion.get());
    const cached = this.cache.get(realm);
    if (cached !== undefined && cached.version === version) return new Map(cached.settings);
    const settings = this.read(realm);
    this.cache.set(realm, { version, settings: new Map(settings) });
    return settings;
  }

  private read(realm: RealmId): Map<string, unknown> {
    return new Map(
      this.statements.stored.all(realm).map((row) => [row.key, parseRow(settingValue, 'realm_settings', row.value)] as const),
    );
  }

  saveSetting(realm: RealmId, key: RealmSettingKey, value: unknown, by: string, at: number): void {
    this.cache.delete(realm);
    this.statements.save.run(realm, key, JSON.stringify(value), by, at);
  }

  clearSetting(realm: RealmId, key: RealmSettingKey): void {
    this.cache.delete(realm);
    this.statements.clear.run(realm, key);
  }

  recordSettingChange(realm: RealmId, change: SettingChangeRecord): void {
    const text = (value: unknown) => (value === null ? null : JSON.stringify(value));
    this.statements.record.run(realm, change.key, text(change.from), text(change.to), change.changedBy, change.changedAt);
  }

  settingChanges(realm: RealmId, limit: number): SettingChangeRecord[] {
    return this.statements.changes.all(realm, limit).map((row) => parseRow(changeRow, 'realm_setting_changes', row));
  }
}
