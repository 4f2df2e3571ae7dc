import { CruxError, type Result } from '../errors.ts';
import { type Context, requireModerator, runUseCase } from '../use-case.ts';
import type { RealmId } from './realm.ts';
import {
  parseSetting,
  type RealmSettingKey,
  type RealmSettings,
  type ResolvedSettings,
  resolveSettings,
  SETTING_KEYS,
  type SettingChange,
  settingByOption,
  storedSetting,
} from './settings.ts';
import type { Store } from '../store.ts';

/** One recorded change of a server's setting. */
export interface SettingChangeRecord {
  key: RealmSettingKey;
  /** The value before and after; null where the server was (or is now) on the default. */
  from: unknown;
  to: unknown;
  changedBy: string;
  changedAt: number;
}

/** What realm settings need from storage. */
export interface RealmSettingsStore {
  /** The values a realm set for itself, as stored (JSON values by key). */
  storedSettings(realm: RealmId): Map<string, unknown>;
  saveSetting(realm: RealmId, key: RealmSettingKey, value: unknown, by: string, at: number): void;
  clearSetting(realm: RealmId, key: RealmSettingKey): void;
  recordSettingChange(realm: RealmId, change: SettingChangeRecord): void;
  /** The newest changes first. */
  settingChanges(realm: RealmId, limit: number): SettingChangeRecord[];
}

export interface SettingsUpdate {
  settings: ResolvedSettings;
  changes: SettingChangeRecord[];
}

/** Per-server settings: read by every use case of the realm, changed by its moderators, every change recorded. */
export class RealmSettingsService {
  constructor(
    private readonly store: Store,
    private readonly settingsStore: RealmSettingsStore,
    private readonly defaults: RealmSettings,
  ) {}

  /** The realm's settings, each with where it comes from. Read inside a use case's transaction, or on its own. */
  settingsOf(realm: RealmId): ResolvedSettings {
    const stored = this.settingsStore.storedSettings(realm);
    const own: Partial<RealmSettings> = {};
    for (const key of SETTING_KEYS) {
      if (stored.has(key)) Object.assign(own, { [key]: storedSetting(key, stored.get(key)) });
    }
    return resolveSettings(this.defaults, own);
  }

  /** The values alone: what the engine and the edges act on. */
  values(realm: RealmId): RealmSettings {
    return this.settingsOf(realm).values;
  }

  /**
   * Changes the named settings (option name → what the moderator typed) in one transaction, each change recorded
   * with who, when and old → new. A value equal to the current one changes nothing and records nothing.
   */
  update(options: Record<string, unknown>, context: Context): Result<SettingsUpdate> {
    return runUseCase(this.store, context, () => {
      requireModerator(context.actor, 'change the server settings');
      const requested = Object.entries(options).map(([option, raw]): SettingChange => {
        const key = settingByOption(option);
        if (key === undefined) throw new CruxError('invalid_input', `There is no setting \`${option}\`.`);
        return parseSetting(key, raw);
      });
      const before = this.settingsOf(context.realm);
      const stored = this.settingsStore.storedSettings(context.realm);
      const changes: SettingChangeRecord[] = [];
      for (const change of requested) {
        const from = stored.has(change.key) ? before.values[change.key] : null;
        if (change.reset) {
          if (!stored.has(change.key)) continue;
          this.settingsStore.clearSetting(context.realm, change.key);
        } else {
          if (stored.has(change.key) && JSON.stringify(from) === JSON.stringify(change.value)) continue;
          this.settingsStore.saveSetting(context.realm, change.key, change.value, context.actor.userId, context.now);
        }
        const record: SettingChangeRecord = {
          key: change.key,
          from,
          to: change.reset ? null : change.value,
          changedBy: context.actor.userId,
          changedAt: context.now,
        };
        this.settingsStore.recordSettingChange(context.realm, record);
        changes.push(record);
      }
      return { settings: this.settingsOf(context.realm), changes };
    });
  }

  history(realm: RealmId, limit: number): SettingChangeRecord[] {
    return this.settingsStore.settingChanges(realm, limit);
  }
}
