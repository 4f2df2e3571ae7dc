import { SlashCommandBuilder } from 'discord.js';
import { z } from 'zod';
import { switchInput } from '../../markets/inputs.ts';
import { NOTIFICATION_KINDS, NOTIFICATION_LABELS, type NotificationKind } from '../../markets/notifications/notice.ts';
import { replyWith } from '../reply.ts';
import { type CommandModule, parseOptions, unwrap } from './command.ts';
import { contextOf } from './trading.ts';

/** Discord sends booleans; the console sends text. */
const onOff = switchInput.optional();

const options = z.object({ all: onOff, resolved: onOff, closing: onOff, moves: onOff, proposals: onOff, stale: onOff, edits: onOff });

/** /notify: this member's DM switches in this server; options turn them on or off, `all` every one at once. */
export const notify: CommandModule = {
  data: (() => {
    const builder = new SlashCommandBuilder()
      .setName('notify')
      .setDescription('Your DMs from Crux in this server: see them, or turn kinds on and off')
      .addBooleanOption((o) => o.setName('all').setDescription('Every kind at once'));
    for (const kind of NOTIFICATION_KINDS) builder.addBooleanOption((o) => o.setName(kind).setDescription(`DM me when ${NOTIFICATION_LABELS[kind]}`.slice(0, 100)));
    return builder;
  })(),

  execute(invocation, app) {
    const input = parseOptions(options, invocation);
    const changes: Partial<Record<NotificationKind, boolean>> = {};
    for (const kind of NOTIFICATION_KINDS) {
      const value = input[kind] ?? input.all;
      if (value !== undefined) changes[kind] = value;
    }
    const switches = unwrap(app.notifications.setSwitches(changes, contextOf(invocation)));
    const lines = NOTIFICATION_KINDS.map((kind) => `${switches[kind] ? '🔔 on ' : '🔕 off'} · \`${kind}\` — ${NOTIFICATION_LABELS[kind]}`);
    return replyWith({
      ephemeral: true,
      cards: [
        {
          title: 'Your notifications in this server',
          color: 0x3b82f6,
          description: lines.join('\n'),
          footer: 'At most one DM per market per hour. /notify all:False turns every kind off; /market follow adds a market you do not hold.',
        },
      ],
    });
  },
};
