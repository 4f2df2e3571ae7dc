import type { HttpMethod, RouteResponse } from './router.ts';

/** Which REST calls a fault applies to: a method and a path (relative to `/api/v10`) matched in full. */
export interface RequestMatch {
  method: HttpMethod;
  path: RegExp;
}

/** What a failing call is answered: an HTTP status and Discord's JSON error code. */
export interface FailureAnswer {
  status: number;
  code?: number;
  message?: string;
}

/** Calls held unanswered until released, as when Discord (or the network) is slow. */
export interface HeldRequests {
  /** How many calls are waiting now. */
  readonly waiting: number;
  /** Answers every waiting call and lets later ones through. */
  release(): void;
}

interface Failure {
  match: RequestMatch;
  answer: FailureAnswer;
  remaining: number;
}

interface Hold {
  match: RequestMatch;
  waiting: number;
  released: Promise<void>;
  release: () => void;
}

const matches = (match: RequestMatch, method: string, path: string) => match.method === method && new RegExp(`^(?:${match.path.source})$`).test(path);

/** Fault injection by route, applied before any route handles a call: failures Discord answers, and calls it holds. */
export class RequestFaults {
  readonly #failures: Failure[] = [];
  readonly #holds: Hold[] = [];

  /** The next `count` matching calls (all of them by default, until the returned function lifts it) get `answer`. */
  fail(match: RequestMatch, answer: FailureAnswer, count = Number.POSITIVE_INFINITY): () => void {
    const failure = { match, answer, remaining: count };
    this.#failures.push(failure);
    return () => {
      failure.remaining = 0;
    };
  }

  hold(match: RequestMatch): HeldRequests {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold: Hold = { match, waiting: 0, released, release };
    this.#holds.push(hold);
    return {
      get waiting() {
        return hold.waiting;
      },
      release: () => {
        this.#holds.splice(this.#holds.indexOf(hold), 1);
        hold.release();
      },
    };
  }

  /**
   * Says how to answer a call if a failure applies (decided as it arrives, so a failure injected while a call is held
   * is for the calls after it), once any hold on it is released; undefined: route it as usual.
   */
  async apply(method: string, path: string): Promise<RouteResponse | undefined> {
    const failure = this.#failures.find((candidate) => candidate.remaining > 0 && matches(candidate.match, method, path));
    if (failure !== undefined) failure.remaining -= 1;
    const hold = this.#holds.find((candidate) => matches(candidate.match, method, path));
    if (hold !== undefined) {
      hold.waiting += 1;
      await hold.released;
      hold.waiting -= 1;
    }
    if (failure === undefined) return undefined;
    const { status, code = 0, message = `${status}: injected failure` } = failure.answer;
    return { status, json: { message, code } };
  }
}
