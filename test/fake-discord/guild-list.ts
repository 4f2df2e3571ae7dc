import type { FakeGuild } from './guild.ts';
import type { GuildTextChannel } from './payloads.ts';

/** How a test names a guild: its name, its id, or the guild itself. */
export type GuildRef = string | FakeGuild;

/** Every guild of the fake Discord, in the order the test listed them; the first is the default one. */
export class GuildList {
  readonly all: readonly FakeGuild[];
  readonly first: FakeGuild;

  constructor(guilds: readonly FakeGuild[]) {
    const [first] = guilds;
    if (!first) throw new Error('Fake Discord needs at least one guild');
    const names = guilds.map(({ name }) => name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    // Tests pick guilds by name, so two guilds of one name would make that choice ambiguous.
    if (repeated) throw new Error(`Fake Discord guilds need distinct names; "${repeated}" is given twice`);
    this.all = guilds;
    this.first = first;
  }

  /** The guilds the bot is a member of, i.e. the ones the gateway announces. */
  get joined(): FakeGuild[] {
    return this.all.filter((guild) => guild.botIsMember);
  }

  /** A guild by reference (the first one when omitted); throws so a typo in a test fails loudly. */
  get(ref?: GuildRef): FakeGuild {
    if (ref === undefined) return this.first;
    if (typeof ref !== 'string') return ref;
    const guild = this.all.find((candidate) => candidate.isNamed(ref));
    if (!guild) throw new Error(`Fake Discord has no guild ${ref}`);
    return guild;
  }

  find(guildId: string): FakeGuild | undefined {
    return this.all.find((guild) => guild.id === guildId);
  }

  /** The guild text channel with this id, with its guild. */
  findChannel(channelId: string): { guild: FakeGuild; channel: GuildTextChannel } | undefined {
    for (const guild of this.all) {
      const channel = guild.findChannel(channelId);
      if (channel) return { guild, channel };
    }
    return undefined;
  }
}
