import { isCruxError, CruxError, type Result } from './errors.ts';
import type { RealmId } from './realms/realm.ts';
import type { RememberedRequest, Store } from './store.ts';

export interface Actor {
  userId: string;
  displayName?: string;
  /** Decided by the edge from the member's server-side permissions, never from anything the client sent. */
  isModerator: boolean;
}

/** Every mutating use case takes the time from its caller and may carry the id of the request it serves. */
export interface Context {
  /** The server (or the console) the use case runs in: it sees only this realm's markets, money and settings. */
  realm: RealmId;
  actor: Actor;
  now: number;
  /** A Discord interaction id or similar: the same id is applied at most once. */
  requestId?: string;
  /**
   * What the request asked (a digest of the command and its options): a request id is replayed only for the same
   * member asking the same thing.
   */
  fingerprint?: string;
}

/**
 * How a use case's result is kept against its request id: `record` turns it into what is stored (as JSON) and
 * `rebuild` turns that back into the result a replay returns.
 */
export interface ReplayRecord<T, R> {
  record(result: T): R;
  rebuild(record: R): T;
}

/** Keeps the whole result: fine for rare use cases, whose results are small or few. */
const WHOLE_RESULT = { record: (result: unknown) => result, rebuild: (record: unknown) => record };

/** How long request ids are remembered: Discord interaction tokens expire after 15 minutes, so a day is ample. */
export const REQUEST_MEMORY_MS = 24 * 60 * 60 * 1000;

/** What runUseCase needs of storage: a transaction and the requests already applied. */
export type RequestStore = Pick<Store, 'atomically' | 'recallRequest' | 'rememberRequest'>;

/** What runUseCase reads of a Context: background jobs run with the time alone. */
export type RequestContext = Pick<Context, 'now' | 'requestId' | 'fingerprint'> & { actor?: Actor };

/**
 * A request id already applied answers only the member who sent it, asking the same thing: anyone else would be
 * shown another member's result, and another command would be handed a result of the wrong shape.
 */
function assertSameRequest(earlier: RememberedRequest, context: RequestContext): void {
  if (earlier.userId !== null && earlier.userId !== (context.actor?.userId ?? null)) {
    throw new CruxError('request_reused', 'That request id was already used by another member. Nothing was done; send it with a new id.');
  }
  if (earlier.fingerprint !== null && earlier.fingerprint !== (context.fingerprint ?? null)) {
    throw new CruxError('request_reused', 'That request id was already used for a different command. Nothing was done; send it with a new id.');
  }
}

/**
 * Runs a use case as one transaction; a CruxError rolls it back and comes back as a value. A request id already
 * applied returns the result it produced then (rebuilt from what `replay` recorded), without running again.
 */
export function runUseCase<T, R = T>(
  store: RequestStore,
  context: RequestContext,
  work: () => T,
  replay: ReplayRecord<T, R> = WHOLE_RESULT as ReplayRecord<T, R>,
): Result<T> {
  try {
    const value = store.atomically(() => {
      const { requestId } = context;
      if (requestId !== undefined) {
        const earlier = store.recallRequest(requestId);
        if (earlier !== undefined) {
          assertSameRequest(earlier, context);
          return replay.rebuild(JSON.parse(earlier.result) as R);
        }
      }
      const result = work();
      if (requestId !== undefined) {
        store.rememberRequest(
          requestId,
          { result: JSON.stringify(replay.record(result)), userId: context.actor?.userId ?? null, fingerprint: context.fingerprint ?? null },
          context.now,
        );
      }
      return result;
    });
    return { ok: true, value };
  } catch (error) {
    if (isCruxError(error)) return { ok: false, error };
    throw error;
  }
}

export function requireModerator(actor: Actor, action: string): void {
  if (!actor.isModerator) throw new CruxError('not_moderator', `Only moderators can ${action}.`);
}

