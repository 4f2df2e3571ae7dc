import { CruxError } from '../../../markets/errors.ts';
import { CHANNEL_SETTINGS, parseSetting, type RealmSettingKey, SETTING_KEYS, SETTINGS, showSetting } from '../../../markets/realms/settings.ts';
import type { SettingChangeRecord } from '../../../markets/realms/service.ts';
import { requireModerator } from '../../../markets/service.ts';
import { truncate } from '../../render/format.ts';
import { type Invocation, type Reply, replyWith } from '../../reply.ts';
import { type App, unwrap } from '../command.ts';
import { contextOf } from '../trading.ts';

const HISTORY_SHOWN = 10;

/** A recorded value as shown: null stands for the environment's default. */
function shownValue(key: RealmSettingKey, value: unknown): string {
  return value === null ? 'default' : showSetting(key, value as never);
}

function changeLine(change: SettingChangeRecord): string {
  const when = `<t:${Math.floor(change.changedAt / 1000)}:f>`;
  return `${when} <@${change.changedBy}>: ${SETTINGS[change.key].label} ${shownValue(change.key, change.from)} → ${shownValue(change.key, change.to)}`;
}

/**
 * A channel setting must name a channel of this server: the bot posts in every server it is in, so a channel of
 * another would carry this server's cards and moderator posts there.
 */
function assertChannelsInServer(invocation: Invocation, requested: Record<string, unknown>): void {
  const inServer = invocation.channelInServer;
  if (inServer === undefined) return;
  for (const key of CHANNEL_SETTINGS) {
    const raw = requested[SETTINGS[key].option];
    if (raw === undefined) continue;
    const change = parseSetting(key, raw);
    if (!change.reset && change.value !== null && !inServer(change.value)) {
      throw new CruxError('invalid_input', `${SETTINGS[key].label}: <#${change.value}> is not a channel of this server. Nothing was changed.`);
    }
  }
}

/**
 * /mod settings: with no options, this server's settings, each with where it comes from, and the latest changes;
 * with options, changes them (recorded, and in force at once) and shows the result.
 */
export function showOrChangeSettings(invocation: Invocation, app: App): Reply {
  requireModerator(invocation.actor, "see or change this server's settings");
  const requested = Object.fromEntries(Object.entries(invocation.options).filter(([, value]) => value !== undefined));
  assertChannelsInServer(invocation, requested);
  const changed = Object.keys(requested).length > 0 ? unwrap(app.realms.update(requested, contextOf(invocation))).changes : [];
  const { values, sources } = app.realms.settingsOf(invocation.realm);
  const history = app.realms.history(invocation.realm, HISTORY_SHOWN);
  const lines = SETTING_KEYS.map(
    (key) => `**${SETTINGS[key].label}** (\`${SETTINGS[key].option}\`): ${showSetting(key, values[key] as never)} — ${sources[key] === 'server' ? 'set for this server' : 'default'}`,
  );
  return replyWith({
    ephemeral: true,
    ...(Object.keys(requested).length > 0
      ? { content: changed.length === 0 ? 'Nothing changed: those are the settings already.' : `✅ Changed ${changed.length} setting${changed.length === 1 ? '' : 's'}; in force now.` }
      : {}),
    cards: [
      {
        title: 'Server settings',
        description: truncate(lines.join('\n'), 4000),
        color: 0x6366f1,
        fields: [{ name: 'Latest changes', value: history.length === 0 ? 'None yet: every setting is the default.' : truncate(history.map(changeLine).join('\n'), 1024) }],
        footer: 'Defaults come from the bot’s environment (.env); "default" puts a setting back on it.',
      },
    ],
  });
}
