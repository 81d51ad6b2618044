/**
 * StreamHub: one LISTEN per process and channel, fan-out per scope, and resume from
 * any id with no gap and no duplicate. It knows nothing about events: a StreamSource
 * says how to read rows after an id, so extension streams (kernel/capabilities/streams.ts)
 * reuse it with their own table and channel.
 *
 * What the source must guarantee: within one scope, ids become visible in commit
 * order, so the committed ids are always a prefix (recordEvent's counter row gives
 * this). Reading `id > cursor` then never skips a row that commits later.
 *
 * How the hub keeps the rest of the promise:
 *
 * - Live. A NOTIFY `<scope>:<id>` (delivered on commit) wakes the scope. The hub reads
 *   `id > lastSeenId` in pages and broadcasts each row: it serialises the frame once and
 *   writes the same Buffer to every client. At most one read per scope runs at a time;
 *   wake-ups during a read cause one more read. NOTIFY is only a hint: the read, not
 *   the payload, decides what is delivered, so coalesced or lost wake-ups cost latency,
 *   never events.
 * - Reconnect. `onConnect` runs on every (re)connect of the LISTEN connection and
 *   re-reads every scope from its lastSeenId, so whatever committed while the
 *   connection was down is delivered. A probe NOTIFY on each heartbeat tick detects a
 *   listener that died without reconnecting (the driver gives up if the database is
 *   down at that moment); the hub then listens again, which re-reads every scope.
 *   There is deliberately no periodic re-read of every scope: its cost would grow
 *   with the number of watched workspaces instead of with the number of writes.
 * - Resume (replay, then live). A client is registered in its scope first, so from
 *   then on every broadcast reaches it; while it replays, broadcasts are buffered.
 *   It then reads `id > cursor` from the database in pages until a page comes back
 *   short, and flushes the buffered frames with id > cursor. No gap: a row was either
 *   broadcast after registration (so it is in the buffer) or read by the hub before
 *   registration (so it committed before the client's next database read, which
 *   therefore returns it). No duplicate: a client only ever writes ids above its
 *   cursor, and both paths deliver in increasing id order. Registration and the
 *   broadcast of a page are synchronous, so neither can interleave inside the other;
 *   the last short read, its check and the flush run without an await in between.
 *   The buffer is bounded: when it overflows it is dropped and the replay reads again
 *   (a read that starts after the drop sees every dropped row).
 * - A new scope starts at the latest committed id (read once, before any replay or
 *   broadcast), so the hub never re-reads old history for live delivery.
 *
 * Slow clients: a live client whose sink holds more than maxBufferedBytes is ended with
 * a `retry:` hint and resumes from its Last-Event-ID; nobody else waits for it. During
 * replay the hub instead waits for the sink to drain (replay is pulled, not pushed).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { StreamSink } from './stream-sink.ts';

export interface StreamSource<Row, Filter> {
  /** NOTIFY channel; payloads are `<scope>:<id>`. */
  readonly channel: string;
  /** The highest committed id in the scope, 0 if none. */
  latestId(scope: string): Promise<number>;
  /** Rows of the scope with id > afterId in ascending id order, at most `limit`, matching `filter` if given. */
  readAfter(scope: string, afterId: number, limit: number, filter?: Filter): Promise<Row[]>;
  idOf(row: Row): number;
  matches(row: Row, filter: Filter): boolean;
  /** The complete SSE message for a row (`id:`, `event:`, `data:` lines and the blank line). */
  frameOf(row: Row): Buffer;
}

export interface StreamHubOptions {
  /** Heartbeat comments and the listener probe run on this tick. */
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** Reconnect delay suggested to clients that the hub closes. */
  retryMs?: number;
  pageSize?: number;
  logger: Logger;
}

/** Who opened a stream: what the stream guard re-checks while it is open. */
export interface StreamOwner {
  apiKeyId: string;
  actorId: string;
  workspaceId: string;
  /** Who the stream counts toward for the per-person cap (AuthContext.personId). */
  personId?: string | null;
}

export interface SubscribeRequest<Filter> {
  scope: string;
  owner?: StreamOwner;
  /** Resume after this id; undefined: only what commits from now on. */
  afterId?: number;
  filter?: Filter;
  sink: StreamSink;
}

interface PendingFrame {
  id: number;
  frame: Buffer;
}

interface Client<Filter> {
  sink: StreamSink;
  owner: StreamOwner | undefined;
  filter: Filter | undefined;
  cursor: number;
  live: boolean;
  closed: boolean;
  pending: PendingFrame[];
  pendingBytes: number;
  /** Times the pending buffer overflowed and was dropped. */
  drops: number;
}

interface Scope<Filter> {
  scope: string;
  clients: Set<Client<Filter>>;
  lastSeenId: number;
  ready: Promise<void>;
  reading: boolean;
  readAgain: boolean;
}

const HEARTBEAT = Buffer.from(': heartbeat\n\n');
/** Sent once a client has caught up: everything before it was replay, everything after is live. */
const LIVE = Buffer.from(': live\n\n');
const PROBE_PREFIX = 'probe:';

export class StreamHub<Row, Filter = never> {
  private readonly scopes = new Map<string, Scope<Filter>>();
  private readonly pageSize: number;
  private readonly retryFrame: Buffer;
  private readonly probeToken = `${PROBE_PREFIX}${process.pid}-${Math.random().toString(36).slice(2)}`;
  private probeOutstanding = false;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private ticking = false;
  private readonly reads = new Set<Promise<void>>();
  private connects = 0;

  constructor(
    private readonly database: Database,
    private readonly source: StreamSource<Row, Filter>,
    private readonly options: StreamHubOptions,
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.retryFrame = Buffer.from(`retry: ${options.retryMs ?? 2_000}\n\n`);
  }

  async start(): Promise<void> {
    await this.listen();
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** False once shutdown began: new streams should be refused. */
  get accepting(): boolean {
    return !this.closing;
  }

  stats(): { scopes: number; clients: number; listenerConnects: number } {
    let clients = 0;
    for (const state of this.scopes.values()) clients += state.clients.size;
    return { scopes: this.scopes.size, clients, listenerConnects: this.connects };
  }

  /**
   * Registers the sink in its scope, replays what it missed, then streams live.
   * Resolves once the client is live (or closed); rejects only if the database fails
   * during replay, after ending the sink with a retry hint.
   */
  async subscribe(request: SubscribeRequest<Filter>): Promise<void> {
    if (this.closing) {
      request.sink.end(this.retryFrame);
      return;
    }
    const state = this.scopeFor(request.scope);
    const client: Client<Filter> = {
      sink: request.sink,
      owner: request.owner,
      filter: request.filter,
      cursor: 0,
      live: false,
      closed: false,
      pending: [],
      pendingBytes: 0,
      drops: 0,
    };
    state.clients.add(client);
    request.sink.onClose(() => this.remove(state, client));
    try {
      await state.ready;
      if (request.afterId === undefined) {
        client.cursor = state.lastSeenId;
      } else {
        // No client can have seen an id above the latest committed one: clamp, or it
        // would silently skip the events that later take those ids.
        client.cursor =
          request.afterId > state.lastSeenId
            ? Math.min(request.afterId, await this.source.latestId(state.scope))
            : request.afterId;
      }
      await this.catchUp(state.scope, client);
    } catch (error) {
      this.close(state, client);
      throw error;
    }
  }

  /** The owners of the open streams (one entry per stream). */
  owners(): StreamOwner[] {
    const owners: StreamOwner[] = [];
    for (const state of this.scopes.values()) {
      for (const client of state.clients) if (client.owner && !client.closed) owners.push(client.owner);
    }
    return owners;
  }

  /** Ends, with a retry hint, the streams whose owner matches; returns how many. */
  end(matches: (owner: StreamOwner) => boolean): number {
    let ended = 0;
    for (const state of [...this.scopes.values()]) {
      for (const client of [...state.clients]) {
        if (client.closed || !client.owner || !matches(client.owner)) continue;
        this.close(state, client);
        ended++;
      }
    }
    return ended;
  }

  /** Ends every stream with a retry hint and refuses new ones (server shutdown). */
  shutdown(): void {
    this.closing = true;
    for (const state of this.scopes.values()) {
      for (const client of state.clients) this.close(state, client);
    }
  }

  async stop(): Promise<void> {
    this.shutdown();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch(() => {});
    // Let reads in flight finish before the caller closes the database.
    await Promise.all(this.reads);
  }

  private async listen(): Promise<void> {
    this.unlisten = await this.database.listen(
      this.source.channel,
      (payload) => this.onNotify(payload),
      () => {
        this.connects++;
        this.probeOutstanding = false;
        for (const state of this.scopes.values()) this.read(state);
      },
    );
  }

  private onNotify(payload: string): void {
    if (payload.startsWith(PROBE_PREFIX)) {
      if (payload === this.probeToken) this.probeOutstanding = false;
      return;
    }
    const separator = payload.lastIndexOf(':');
    const state = this.scopes.get(payload.slice(0, separator));
    if (!state) return;
    const id = Number(payload.slice(separator + 1));
    if (Number.isFinite(id) && id <= state.lastSeenId) return;
    this.read(state);
  }

  private async tick(): Promise<void> {
    for (const state of this.scopes.values()) {
      for (const client of state.clients) if (!client.closed) client.sink.write(HEARTBEAT);
    }
    if (this.closing || this.ticking) return;
    this.ticking = true;
    try {
      if (this.probeOutstanding) {
        this.options.logger.warn(
          { channel: this.source.channel },
          'stream listener is silent; listening again',
        );
        await this.unlisten?.().catch(() => {});
        await this.listen();
      }
      this.probeOutstanding = true;
      await this.database.notify(this.source.channel, this.probeToken);
    } catch (error) {
      this.options.logger.error({ err: error, channel: this.source.channel }, 'stream listener check failed');
    } finally {
      this.ticking = false;
    }
  }

  private scopeFor(scope: string): Scope<Filter> {
    const existing = this.scopes.get(scope);
    if (existing) return existing;
    const state: Scope<Filter> = {
      scope,
      clients: new Set(),
      lastSeenId: 0,
      ready: Promise.resolve(),
      reading: false,
      readAgain: false,
    };
    state.ready = this.source.latestId(scope).then(
      (id) => {
        state.lastSeenId = Math.max(state.lastSeenId, id);
      },
      (error) => {
        if (this.scopes.get(scope) === state) this.scopes.delete(scope);
        throw error;
      },
    );
    state.ready.catch(() => {});
    this.scopes.set(scope, state);
    return state;
  }

  /** Reads the scope forward from lastSeenId and broadcasts; coalesces concurrent wake-ups. */
  private read(state: Scope<Filter>): void {
    if (state.reading) {
      state.readAgain = true;
      return;
    }
    state.reading = true;
    const reading = this.readLoop(state)
      .catch((error) => {
        if (this.closing) return;
        this.options.logger.error({ err: error, scope: state.scope }, 'stream read failed; retrying');
        const retry = setTimeout(() => this.scopes.get(state.scope) === state && this.read(state), 1_000);
        retry.unref();
      })
      .finally(() => {
        state.reading = false;
        this.reads.delete(reading);
      });
    this.reads.add(reading);
  }

  private async readLoop(state: Scope<Filter>): Promise<void> {
    await state.ready;
    do {
      state.readAgain = false;
      for (;;) {
        const rows = await this.source.readAfter(state.scope, state.lastSeenId, this.pageSize);
        if (this.scopes.get(state.scope) !== state) return;
        for (const row of rows) this.broadcast(state, row);
        if (rows.length < this.pageSize) break;
      }
    } while (state.readAgain);
  }

  private broadcast(state: Scope<Filter>, row: Row): void {
    const id = this.source.idOf(row);
    if (id <= state.lastSeenId) return;
    state.lastSeenId = id;
    let frame: Buffer | undefined;
    for (const client of state.clients) {
      if (client.closed || id <= client.cursor) continue;
      if (client.filter !== undefined && !this.source.matches(row, client.filter)) continue;
      frame ??= this.source.frameOf(row);
      if (!client.live) {
        client.pending.push({ id, frame });
        client.pendingBytes += frame.length;
        if (client.pendingBytes > this.options.maxBufferedBytes) {
          client.pending = [];
          client.pendingBytes = 0;
          client.drops++;
        }
        continue;
      }
      client.cursor = id;
      client.sink.write(frame);
      if (client.sink.bufferedBytes > this.options.maxBufferedBytes) {
        this.options.logger.info({ scope: state.scope, last_event_id: id }, 'closing a slow stream client');
        this.close(state, client);
      }
    }
  }

  /** Replay from the client's cursor until caught up, then flush the buffer and go live. */
  private async catchUp(scope: string, client: Client<Filter>): Promise<void> {
    for (;;) {
      const dropsBefore = client.drops;
      const rows = await this.source.readAfter(scope, client.cursor, this.pageSize, client.filter);
      if (client.closed) return;
      if (rows.length > 0) {
        client.sink.write(Buffer.concat(rows.map((row) => this.source.frameOf(row))));
        client.cursor = this.source.idOf(rows[rows.length - 1]!);
        if (client.sink.bufferedBytes > this.options.maxBufferedBytes) await client.sink.drained();
        if (client.closed) return;
      }
      if (rows.length === this.pageSize || client.drops !== dropsBefore) continue;
      // Caught up: nothing below this line awaits, so no broadcast can slip in between.
      for (const { id, frame } of client.pending) {
        if (id <= client.cursor) continue;
        client.sink.write(frame);
        client.cursor = id;
      }
      client.pending = [];
      client.pendingBytes = 0;
      client.live = true;
      client.sink.write(LIVE);
      return;
    }
  }

  private close(state: Scope<Filter>, client: Client<Filter>): void {
    if (!client.closed) client.sink.end(this.retryFrame);
    this.remove(state, client);
  }

  private remove(state: Scope<Filter>, client: Client<Filter>): void {
    client.closed = true;
    client.pending = [];
    state.clients.delete(client);
    if (state.clients.size === 0 && this.scopes.get(state.scope) === state) this.scopes.delete(state.scope);
  }
}
