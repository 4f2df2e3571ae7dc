import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from 'discord.js';
import { APPLICATION_FLAGS } from './bot-identity.ts';
import type { BotIdentity } from './bot-identity.ts';
import { acceptStream, GatewaySession, sendPayload } from './gateway-session.ts';
import type { DispatchData, DispatchEvent } from './gateway-session.ts';
import type { GuildList } from './guild-list.ts';
import { portOf } from './port.ts';

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  identity: BotIdentity;
  guilds: GuildList;
}

const payloadSchema = z.object({ op: z.number().int(), d: z.unknown() });
const identifySchema = z.object({
  token: z.string(),
  intents: z.number().int(),
  shard: z.tuple([z.number().int(), z.number().int()]).default([0, 1]),
});
const resumeSchema = z.object({ token: z.string(), session_id: z.string(), seq: z.number().int().nullable() });
const requestMembersSchema = z.object({
  guild_id: z.string(),
  query: z.string().optional(),
  limit: z.number().int().default(0),
  user_ids: z.union([z.string(), z.array(z.string())]).optional(),
  nonce: z.string().optional(),
});

// Close codes with which Discord ends the session instead of keeping it resumable.
const SESSION_ENDING_CLOSE_CODES = new Set([1000, 1001]);

/** The per-socket state: which session (if any) this connection identified or resumed. */
interface Connection {
  socket: WebSocket;
  session: GatewaySession | null;
}

/**
 * Discord's gateway (v10, JSON, uncompressed) for one bot in its guilds, with switches that
 * reproduce the failures the client must survive.
 */
export class FakeGateway {
  readonly url: string;
  readonly #server: WebSocketServer;
  readonly #options: GatewayOptions;
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #identified: [number, number][] = [];
  #resumeCount = 0;
  #heartbeatCount = 0;
  #acknowledgesHeartbeats = true;
  #refusesNextResume = false;

  private constructor(server: WebSocketServer, options: GatewayOptions) {
    this.#server = server;
    this.#options = options;
    this.url = `ws://127.0.0.1:${portOf(server.address())}`;
    server.on('connection', (socket, request) => this.#accept(socket, request));
  }

  static async start(options: GatewayOptions): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    return new FakeGateway(server, options);
  }

  /** IDENTIFY payloads received, i.e. fresh sessions the client started. */
  get identifyCount(): number {
    return this.#identified.length;
  }

  /** The `[shard_id, num_shards]` of each IDENTIFY accepted, oldest first. */
  get identifiedShards(): readonly (readonly [number, number])[] {
    return this.#identified;
  }

  /** RESUME payloads received, including refused ones. */
  get resumeCount(): number {
    return this.#resumeCount;
  }

  get heartbeatCount(): number {
    return this.#heartbeatCount;
  }

  get openConnectionCount(): number {
    return this.#server.clients.size;
  }

  /**
   * Sends a dispatch to every session of the shard that carries it: a guild's events go to shard
   * `(guild_id >> 22) % num_shards`, the rest (DMs) to shard 0. Sessions whose socket is down get it on RESUME.
   * Returns the shard ids it was sent to.
   */
  dispatch<Event extends DispatchEvent>(event: Event, data: DispatchData<Event>): number[] {
    const guildId = typeof data === 'object' && data !== null && 'guild_id' in data && typeof data.guild_id === 'string' ? data.guild_id : undefined;
    const reached: number[] = [];
    for (const session of this.#sessions.values()) {
      if (!session.carries(guildId)) continue;
      session.dispatch(event, data);
      reached.push(session.shard[0]);
    }
    return reached;
  }

  /** Kills every socket without a close frame, like a network failure; sessions stay resumable. */
  dropConnections(): void {
    for (const socket of this.#server.clients) socket.terminate();
  }

  /** Stops answering heartbeats, so the client eventually declares the connection a zombie. */
  stopHeartbeatAcks(): void {
    this.#acknowledgesHeartbeats = false;
  }

  resumeHeartbeatAcks(): void {
    this.#acknowledgesHeartbeats = true;
  }

  /** Answers the next RESUME with INVALID_SESSION (d: false), forcing the client to identify again. */
  refuseNextResume(): void {
    this.#refusesNextResume = true;
  }

  async close(): Promise<void> {
    for (const socket of this.#server.clients) socket.terminate();
    await new Promise<void>((resolve, reject) => this.#server.close((error) => (error ? reject(error) : resolve())));
  }

  #accept(socket: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', this.url).searchParams;
    if (query.get('v') !== '10') return socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
    if (query.get('encoding') !== 'json' || query.has('compress')) {
      return socket.close(GatewayCloseCodes.DecodeError, 'The fake gateway only speaks uncompressed JSON');
    }
    acceptStream(socket, request.socket);
    const connection: Connection = { socket, session: null };
    socket.on('message', (raw) => this.#receive(connection, raw));
    socket.on('close', (code) => this.#onClose(connection, code));
    sendPayload(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.#options.heartbeatIntervalMs } });
  }

  #receive(connection: Connection, raw: RawData): void {
    const { socket } = connection;
    const payload = payloadSchema.safeParse(parseJson(raw));
    if (!payload.success) return socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload');
    const { op, d } = payload.data;
    if (op === GatewayOpcodes.Heartbeat) return this.#heartbeat(socket);
    if (op === GatewayOpcodes.Identify || op === GatewayOpcodes.Resume) {
      if (connection.session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
      return op === GatewayOpcodes.Identify ? this.#identify(connection, d) : this.#resume(connection, d);
    }
    if (!connection.session) return socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated');
    switch (op) {
      case GatewayOpcodes.RequestGuildMembers:
        return this.#sendMembersChunk(connection, connection.session, d);
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        return;
      default:
        return socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode');
    }
  }

  #heartbeat(socket: WebSocket): void {
    this.#heartbeatCount += 1;
    if (this.#acknowledgesHeartbeats) sendPayload(socket, { op: GatewayOpcodes.HeartbeatAck });
  }

  #identify(connection: Connection, data: unknown): void {
    const identify = identifySchema.safeParse(data);
    if (!identify.success) return connection.socket.close(GatewayCloseCodes.DecodeError, 'Invalid IDENTIFY payload');
    if (identify.data.token !== this.#options.identity.token) {
      return connection.socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed');
    }
    const [shardId, shardCount] = identify.data.shard;
    if (shardCount < 1 || shardId < 0 || shardId >= shardCount) {
      return connection.socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard');
    }
    this.#identified.push([shardId, shardCount]);
    const { identity, guilds } = this.#options;
    const session = new GatewaySession(connection.socket, identify.data.intents, [shardId, shardCount]);
    const joined = guilds.joined.filter((guild) => session.carries(guild.id));
    this.#sessions.set(session.id, session);
    connection.session = session;
    session.dispatch(GatewayDispatchEvents.Ready, {
      v: 10,
      user: identity.user,
      guilds: joined.map(({ id }) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard: [shardId, shardCount],
      application: { id: identity.applicationId, flags: APPLICATION_FLAGS, flags_new: APPLICATION_FLAGS.toString() },
    });
    // discord.js only emits ClientReady once every guild listed in READY has arrived.
    if (session.intents & GatewayIntentBits.Guilds) {
      for (const guild of joined) session.dispatch(GatewayDispatchEvents.GuildCreate, guild.toGuildCreate());
    }
  }

  #resume(connection: Connection, data: unknown): void {
    this.#resumeCount += 1;
    const resume = resumeSchema.safeParse(data);
    if (!resume.success) return connection.socket.close(GatewayCloseCodes.DecodeError, 'Invalid RESUME payload');
    const session = this.#sessions.get(resume.data.session_id);
    if (this.#refusesNextResume || !session || resume.data.token !== this.#options.identity.token) {
      this.#refusesNextResume = false;
      if (session) this.#sessions.delete(session.id);
      return sendPayload(connection.socket, { op: GatewayOpcodes.InvalidSession, d: false });
    }
    connection.session = session;
    session.attach(connection.socket);
    session.replayAfter(resume.data.seq);
    session.dispatch(GatewayDispatchEvents.Resumed, undefined);
  }

  #sendMembersChunk(connection: Connection, session: GatewaySession, data: unknown): void {
    const request = requestMembersSchema.safeParse(data);
    if (!request.success) return connection.socket.close(GatewayCloseCodes.DecodeError, 'Invalid REQUEST_GUILD_MEMBERS');
    const guild = this.#options.guilds.find(request.data.guild_id);
    if (!guild?.botIsMember) return;
    const userIds = request.data.user_ids === undefined ? undefined : [request.data.user_ids].flat();
    const query = request.data.query?.toLowerCase() ?? '';
    const matching = guild.members.filter((member) =>
      userIds ? userIds.includes(member.user.id) : member.user.username.toLowerCase().startsWith(query),
    );
    session.dispatch(GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: guild.id,
      members: request.data.limit > 0 ? matching.slice(0, request.data.limit) : matching,
      chunk_index: 0,
      chunk_count: 1,
      not_found: userIds?.filter((id) => !guild.findMember(id)) ?? [],
      ...(request.data.nonce ? { nonce: request.data.nonce } : {}),
    });
  }

  #onClose(connection: Connection, code: number): void {
    const { session } = connection;
    if (!session) return;
    session.detach(connection.socket);
    if (SESSION_ENDING_CLOSE_CODES.has(code)) this.#sessions.delete(session.id);
  }
}

function parseJson(raw: RawData): unknown {
  const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
