import type { APIUser } from 'discord.js';
import { buildUser } from './payloads.ts';
import { nextSnowflake } from './snowflake.ts';

/** Discord's users, shared by every guild: one username is one account with one id, whichever guilds it joined. */
export class UserDirectory {
  readonly #byUsername = new Map<string, APIUser>();

  /** The user with this username, created on first mention (guild specs introduce users this way). */
  named(username: string): APIUser {
    const existing = this.#byUsername.get(username);
    if (existing) return existing;
    const user = buildUser(nextSnowflake(), username);
    this.#byUsername.set(username, user);
    return user;
  }

  /** A user some guild spec introduced; throws so a typo in a test fails loudly. */
  existing(username: string): APIUser {
    const user = this.#byUsername.get(username);
    if (!user) throw new Error(`Fake Discord has no user ${username}`);
    return user;
  }

  find(userId: string): APIUser | undefined {
    return [...this.#byUsername.values()].find((user) => user.id === userId);
  }
}
