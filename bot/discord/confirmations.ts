import { randomUUID } from 'node:crypto';
import type { Invocation } from '../reply.ts';

/** An irreversible command held until the member who asked presses Confirm. */
export interface PendingAction {
  invocation: Invocation;
  expiresAt: number;
}

export type Taken = { kind: 'ready'; action: PendingAction } | { kind: 'gone' } | { kind: 'not_yours' };

const CONFIRM = 'crux:confirm:';
const DISMISS = 'crux:dismiss:';

/**
 * Held actions live in memory only: a restart drops them, and the member simply runs the command again.
 * Nothing is written until Confirm, so there is nothing to recover.
 */
export class PendingConfirmations {
  private readonly held = new Map<string, PendingAction>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly capacity = 1000,
  ) {}

  hold(invocation: Invocation): { confirmId: string; dismissId: string } {
    if (this.held.size >= this.capacity) {
      const oldest = this.held.keys().next().value;
      if (oldest !== undefined) this.held.delete(oldest);
    }
    const token = randomUUID();
    this.held.set(token, { invocation, expiresAt: invocation.now + this.ttlMs });
    return { confirmId: `${CONFIRM}${token}`, dismissId: `${DISMISS}${token}` };
  }

  /** Confirm or dismiss; only the member who asked may do either, and each works once. */
  take(customId: string, userId: string, now: number): Taken {
    const token = customId.slice(customId.startsWith(CONFIRM) ? CONFIRM.length : DISMISS.length);
    const action = this.held.get(token);
    if (!action || action.expiresAt <= now) {
      this.held.delete(token);
      return { kind: 'gone' };
    }
    if (action.invocation.actor.userId !== userId) return { kind: 'not_yours' };
    this.held.delete(token);
    return { kind: 'ready', action };
  }

  static isConfirmation(customId: string): boolean {
    return customId.startsWith(CONFIRM) || customId.startsWith(DISMISS);
  }

  static isConfirm(customId: string): boolean {
    return customId.startsWith(CONFIRM);
  }
}
