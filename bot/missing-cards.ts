import { backoffDelay } from '../markets/backoff.ts';
import type { CardlessMarket } from '../markets/store.ts';
import { guildOfRealm } from '../markets/realms/realm.ts';
import { errorMessage } from '../markets/errors.ts';
import type { App } from './commands/command.ts';
import type { JobHooks } from './jobs.ts';

/**
 * How old a market without a card must be before the job posts one. `/market open` commits the market, then posts
 * its card and stores the message id, possibly in another shard's process; a market whose id is still missing may be
 * one whose post is merely on its way (discord.js gives a request 15 s and tries it four times, after waiting out
 * any rate limit). Waiting far longer than that is what keeps the job from posting a second card beside the open's
 * own, with nothing for the open path to claim or release: only a market whose opener died, or whose post Discord
 * refused, is that old and still has no card. The one window left is a post Discord took whose message id was not
 * stored yet (microseconds, against the minutes above); it would leave a second card, never none.
 * The index on (status, closes_at) keeps the query to the open markets, so running it every minute is cheap.
 */
export const MISSING_CARD_GRACE_MS = 10 * 60_000;

/** Cards posted per run at most, so a server that has just set its market channel does not hold the other jobs up. */
const CARDS_PER_RUN = 10;

const FIRST_RETRY_MS = 5 * 60_000;
const LONGEST_RETRY_MS = 6 * 60 * 60_000;

/**
 * Where cards could not be posted lately: a channel the bot cannot post in (deleted, no access) is tried again after
 * 5 minutes, then after twice as long each time, up to every 6 hours, instead of every run. Kept in the memory of the
 * one process that runs the jobs: a restart, or a server choosing another market channel, tries at once.
 */
export class CardDestinations {
  readonly #failing = new Map<string, { failures: number; retryAt: number }>();

  isDue(destination: string, now: number): boolean {
    return (this.#failing.get(destination)?.retryAt ?? now) <= now;
  }

  /** Records a failed post; says when the next try is and whether this is the first failure (the one to log). */
  failed(destination: string, now: number): { first: boolean; retryAt: number } {
    const failures = (this.#failing.get(destination)?.failures ?? 0) + 1;
    const retryAt = now + backoffDelay(failures - 1, FIRST_RETRY_MS, LONGEST_RETRY_MS);
    this.#failing.set(destination, { failures, retryAt });
    return { first: failures === 1, retryAt };
  }

  /** Records a post that went through; true when the destination had been failing. */
  succeeded(destination: string): boolean {
    return this.#failing.delete(destination);
  }
}

/**
 * Posts the card of every market still trading that never got one (its opener died between the commit and the post,
 * or Discord refused the post): in its server's market channel, or where it was opened in a server without one; a
 * market with neither (a claim pack's, before the server names a market channel) is left alone. A channel that fails is logged once and backs off
 * (see CardDestinations).
 */
export async function postMissingCards(app: App, hooks: JobHooks, destinations: CardDestinations): Promise<CardlessMarket[]> {
  const now = hooks.now();
  const posted: CardlessMarket[] = [];
  for (const market of app.views.withoutCard(now - MISSING_CARD_GRACE_MS, now)) {
    if (posted.length === CARDS_PER_RUN) break;
    if ((hooks.realm !== undefined && market.realm !== hooks.realm) || guildOfRealm(market.realm) === null) continue;
    // The server's market channel as it is now: one it named since (say, in place of a channel it cannot post in) wins.
    const channelId = app.realms.values(market.realm).marketChannel ?? market.channelId;
    if (channelId === null) continue;
    const destination = `${market.realm}:${channelId}`;
    if (!destinations.isDue(destination, now)) continue;
    try {
      if (!(await hooks.postCard(market.id, channelId))) continue;
      posted.push(market);
      if (destinations.succeeded(destination)) app.log('missing market cards are posted again', { realm: market.realm, channelId });
    } catch (error) {
      const { first, retryAt } = destinations.failed(destination, now);
      if (first) {
        app.log('could not post a missing market card; its channel is tried again later, less and less often, without logging again', {
          market: market.id,
          realm: market.realm,
          channelId,
          retryAt: new Date(retryAt).toISOString(),
          error: errorMessage(error),
        });
      }
    }
  }
  return posted;
}
