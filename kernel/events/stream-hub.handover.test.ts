/**
 * Deterministic checks of the hub's hand-over rules with an in-memory source whose
 * reads the test releases by hand, so each interleaving the ordering argument relies
 * on happens exactly when the test says.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { StreamHub, type StreamSource } from './stream-hub.ts';
import { WebStreamSink } from './stream-sink.ts';

interface Row {
  id: number;
}

class FakeLog {
  rows: Row[] = [];
  onNotify: (payload: string) => void = () => {};
  onConnect: () => void = () => {};
  /** When set, reads wait for the test to release them, seeing the log as it was when they started. */
  holdReads = false;
  held: { release: () => void; filtered: boolean }[] = [];
  listens = 0;

  commit(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = this.rows.length + 1;
      this.rows.push({ id });
      this.onNotify(`s:${id}`);
    }
  }

  database(): Database {
    return {
      listen: async (_channel: string, onNotify: (payload: string) => void, onConnect?: () => void) => {
        this.listens++;
        this.onNotify = onNotify;
        this.onConnect = onConnect ?? (() => {});
        this.onConnect();
        return async () => {};
      },
      notify: async (_channel: string, payload: string) => this.onNotify(payload),
    } as unknown as Database;
  }

  source(): StreamSource<Row, true> {
    return {
      channel: 'test',
      latestId: async () => this.rows.length,
      readAfter: (_scope, afterId, limit, filter) => {
        const snapshot = this.rows.filter((row) => row.id > afterId).slice(0, limit);
        if (!this.holdReads) return Promise.resolve(snapshot);
        return new Promise((resolve) =>
          this.held.push({ release: () => resolve(snapshot), filtered: filter === true }),
        );
      },
      idOf: (row) => row.id,
      matches: () => true,
      frameOf: (row) => Buffer.from(`id: ${row.id}\ndata: {}\n\n`),
    };
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function setup(options: { maxBufferedBytes?: number; pageSize?: number; heartbeatMs?: number } = {}) {
  const log = new FakeLog();
  const hub = new StreamHub(log.database(), log.source(), {
    heartbeatMs: options.heartbeatMs ?? 60_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20,
    pageSize: options.pageSize ?? 100,
    logger: pino({ level: 'silent' }),
  });
  await hub.start();
  return { log, hub };
}

/** Subscribes and returns a function that reads the ids received so far. */
function client(hub: StreamHub<Row, true>, afterId: number | undefined) {
  const sink = new WebStreamSink(1 << 20);
  const subscribed = hub.subscribe({ scope: 's', afterId, sink, filter: true });
  const reader = sink.stream.getReader();
  let text = '';
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  /** Everything received until the stream is quiet for a moment. */
  const ids = async () => {
    for (;;) {
      pending ??= reader.read();
      const next = await Promise.race([pending, tick().then(() => undefined)]);
      if (!next) break;
      pending = undefined;
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  };
  return { sink, subscribed, ids, text: () => text };
}

/** Releases held reads of one kind (replay = filtered) in order. */
function release(log: FakeLog, replay: boolean) {
  const mine = log.held.filter((read) => read.filtered === replay);
  log.held = log.held.filter((read) => read.filtered !== replay);
  for (const read of mine) read.release();
}

describe('StreamHub hand-over', () => {
  it('delivers rows broadcast during the last replay read from the buffer, once', async () => {
    const { log, hub } = await setup();
    log.commit(2);
    log.holdReads = true;
    const c = client(hub, 0);
    await tick();
    // The replay read started when the log held 1..2; 3..5 commit before it returns.
    log.commit(3);
    await tick();
    release(log, false); // the hub's live read sees 3..5 and broadcasts them into the buffer
    await tick();
    log.holdReads = false;
    release(log, true); // the replay returns 1..2 (short page): caught up, flush 3..5
    await c.subscribed;
    log.commit(1);
    await tick();
    expect(await c.ids()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.text()).toContain(': live');
    await hub.stop();
  });

  it('skips buffered rows the replay already delivered', async () => {
    const { log, hub } = await setup();
    log.holdReads = true;
    const c = client(hub, 0);
    await tick();
    log.commit(3);
    await tick();
    release(log, false); // broadcast 1..3 into the buffer
    await tick();
    log.holdReads = false;
    log.held[0]!.release(); // the replay's snapshot was taken late enough to see 1..3 as well
    await c.subscribed;
    expect(await c.ids()).toEqual([1, 2, 3]);
    await hub.stop();
  });

  it('reads again when the buffer overflowed during a replay read', async () => {
    const frame = Buffer.byteLength('id: 1\ndata: {}\n\n');
    const { log, hub } = await setup({ maxBufferedBytes: frame * 2 + 1 });
    log.holdReads = true;
    const c = client(hub, 0);
    await tick();
    log.commit(4);
    await tick();
    release(log, false); // four frames into a two-frame buffer: dropped
    await tick();
    log.holdReads = false;
    release(log, true); // a short (empty) page, but the drop forces another read
    // Reading lets the replay drain past the tiny bound.
    let got: number[] = [];
    while (got.length < 4) got = await c.ids();
    await c.subscribed;
    expect(got).toEqual([1, 2, 3, 4]);
    await hub.stop();
  });

  it('pages through a long replay, then goes live', async () => {
    const { log, hub } = await setup({ pageSize: 3 });
    log.commit(10);
    const c = client(hub, 4);
    await c.subscribed;
    log.commit(2);
    await tick();
    expect(await c.ids()).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    await hub.stop();
  });

  it('clamps a Last-Event-ID above the latest id instead of skipping future events', async () => {
    const { log, hub } = await setup();
    log.commit(3);
    const c = client(hub, 99);
    await c.subscribed;
    log.commit(1);
    await tick();
    expect(await c.ids()).toEqual([4]);
    await hub.stop();
  });

  it('catches up on every listener reconnect, whatever NOTIFY was lost', async () => {
    const { log, hub } = await setup();
    const c = client(hub, 0);
    await c.subscribed;
    const notify = log.onNotify;
    log.onNotify = () => {}; // the connection is down: notifications are lost
    log.commit(3);
    await tick();
    expect(await c.ids()).toEqual([]);
    log.onNotify = notify;
    log.onConnect();
    await tick();
    expect(await c.ids()).toEqual([1, 2, 3]);
    expect(hub.stats().listenerConnects).toBe(2);
    await hub.stop();
  });

  it('listens again when its own probe stops arriving, and catches up', async () => {
    const { log, hub } = await setup({ heartbeatMs: 10 });
    const c = client(hub, 0);
    await c.subscribed;
    log.onNotify = () => {}; // the listener died silently: no events, no probes
    log.commit(2);
    const deadline = Date.now() + 5_000;
    while (log.listens < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(log.listens).toBeGreaterThanOrEqual(2);
    await tick();
    expect(await c.ids()).toEqual([1, 2]);
    await hub.stop();
  });

  it('ends streams with a retry hint on shutdown and refuses new ones', async () => {
    const { hub } = await setup();
    const c = client(hub, undefined);
    await c.subscribed;
    hub.shutdown();
    expect(hub.accepting).toBe(false);
    await c.ids();
    expect(c.text()).toMatch(/retry: \d+\n\n$/);
    expect(c.sink.closed).toBe(true);
    expect(hub.stats().clients).toBe(0);
    await hub.stop();
  });
});
