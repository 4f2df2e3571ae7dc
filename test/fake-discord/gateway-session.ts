import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { GatewayOpcodes } from 'discord.js';
import type { GatewayDispatchPayload } from 'discord.js';
import { shardOfGuild } from './snowflake.ts';

export type DispatchEvent = GatewayDispatchPayload['t'];
export type DispatchData<Event extends DispatchEvent> = Extract<GatewayDispatchPayload, { t: Event }>['d'];

interface SentDispatch {
  op: GatewayOpcodes.Dispatch;
  t: DispatchEvent;
  s: number;
  d: unknown;
}

/** Each gateway socket's TCP stream, as the server accepted it. */
const streams = new WeakMap<WebSocket, Duplex>();

export function acceptStream(socket: WebSocket, stream: Duplex): void {
  streams.set(socket, stream);
}

/**
 * Payloads sent to one socket in the same turn of the event loop leave in one write, as a gateway's TCP stream would
 * carry them: a burst of 200 interactions costs the fake one system call per shard rather than one each (on this
 * machine a loopback write is about 0.1 ms), so the bench's bursts measure the bot more than the fake.
 */
export function sendPayload(socket: WebSocket, payload: unknown): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  const stream = streams.get(socket);
  if (stream !== undefined && stream.writableCorked === 0) {
    stream.cork();
    process.nextTick(() => stream.uncork());
  }
  socket.send(JSON.stringify(payload));
}

/**
 * One identified gateway session. It outlives its socket: dispatches sent while disconnected are
 * kept, with their sequence numbers, and replayed when the client resumes.
 */
export class GatewaySession {
  readonly id = randomBytes(16).toString('hex');
  readonly intents: number;
  /** `[shard_id, num_shards]` as identified; `[0, 1]` for a bot that does not shard. */
  readonly shard: readonly [number, number];
  #socket: WebSocket | null;
  #sequence = 0;
  readonly #sent: SentDispatch[] = [];

  constructor(socket: WebSocket, intents: number, shard: readonly [number, number]) {
    this.#socket = socket;
    this.intents = intents;
    this.shard = shard;
  }

  /** Whether Discord sends this guild's events (or, for `undefined`, events outside any guild: DMs) here. */
  carries(guildId: string | undefined): boolean {
    const [id, count] = this.shard;
    return guildId === undefined ? id === 0 : shardOfGuild(guildId, count) === id;
  }

  attach(socket: WebSocket): void {
    this.#socket = socket;
  }

  detach(socket: WebSocket): void {
    if (this.#socket === socket) this.#socket = null;
  }

  dispatch<Event extends DispatchEvent>(event: Event, data: DispatchData<Event>): void {
    this.#sequence += 1;
    const payload: SentDispatch = { op: GatewayOpcodes.Dispatch, t: event, s: this.#sequence, d: data };
    this.#sent.push(payload);
    if (this.#socket) sendPayload(this.#socket, payload);
  }

  /** Re-sends everything after the sequence number the client last saw. */
  replayAfter(sequence: number | null): void {
    if (!this.#socket) return;
    for (const payload of this.#sent) {
      if (payload.s > (sequence ?? 0)) sendPayload(this.#socket, payload);
    }
  }
}
