/**
 * A realm is one Discord server, or the local console: its own markets, money, moderators and settings. Every use
 * case runs in exactly one realm (it comes in the Context), and nothing a realm does reaches into another.
 */
export type RealmId = string;

/** The local console's realm; also where claim packs land when loaded without a server. */
export const CONSOLE_REALM: RealmId = 'console';

/** A Discord server's realm is its guild id. */
export function realmOfGuild(guildId: string | null): RealmId {
  return guildId ?? CONSOLE_REALM;
}

/** The Discord server a realm is, for exports' `guild_id`: none for the console. */
export function guildOfRealm(realm: RealmId): string | null {
  return realm === CONSOLE_REALM ? null : realm;
}

/**
 * The storage key of a new market. Members name a market by its slug, unique within its realm; the ledger, positions
 * and forecasts need a key unique across realms. A slug no realm has used yet is its own key (so markets made before
 * realms, whose keys are their slugs, stay as they were); a slug another realm already holds is qualified by realm.
 */
export function newMarketKey(realm: RealmId, slug: string, keyTaken: (key: string) => boolean): string {
  return keyTaken(slug) ? `${realm}/${slug}` : slug;
}
