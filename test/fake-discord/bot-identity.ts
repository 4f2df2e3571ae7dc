import { randomBytes } from 'node:crypto';
import type { APIApplication, APIUser, ApplicationFlags } from 'discord.js';
import { buildUser, noFlags } from './payloads.ts';
import { nextSnowflake } from './snowflake.ts';

/** The bot account and its application, as Discord knows them. */
export interface BotIdentity {
  /** Modern applications share their id with their bot user. */
  applicationId: string;
  user: APIUser;
  token: string;
}

export function createBotIdentity(botName: string): BotIdentity {
  const id = nextSnowflake();
  // Same three-part layout as real tokens (base64 user id, timestamp, HMAC) so token parsing code behaves.
  const token = [
    Buffer.from(id).toString('base64url'),
    randomBytes(4).toString('base64url'),
    randomBytes(27).toString('base64url'),
  ].join('.');
  return { applicationId: id, user: buildUser(id, botName, { bot: true }), token };
}

/** No privileged intents or special capabilities: Crux only needs slash commands and components. */
export const APPLICATION_FLAGS = noFlags<ApplicationFlags>();

export function buildApplication(identity: BotIdentity, owner: APIUser): APIApplication {
  return {
    id: identity.applicationId,
    name: identity.user.username,
    icon: null,
    description: '',
    bot_public: false,
    bot_require_code_grant: false,
    bot: identity.user,
    owner,
    summary: '',
    verify_key: randomBytes(32).toString('hex'),
    team: null,
    flags: APPLICATION_FLAGS,
    flags_new: APPLICATION_FLAGS.toString(),
  };
}
