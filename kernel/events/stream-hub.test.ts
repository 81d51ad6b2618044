/**
 * The hub's replay-then-live hand-over under stress, without HTTP: the source is
 * slowed down at random (before and after each database read) so that broadcasts land
 * inside replays, pages are tiny so replays take many reads, and the buffer bound is
 * small so pending buffers overflow and slow clients are cut off. Readers resume from
 * their last id after every cut. Every reader must still see every committed event
 * exactly once, in order.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.ts';
import { migrateKernel } from '../kernel.ts';
import { type EventFilter, type EventJson, eventStreamSource } from './event-log.ts';
import { recordEvent } from './record-event.ts';
import { StreamHub, type StreamSource } from './stream-hub.ts';
import { WebStreamSink } from './stream-sink.ts';

let testDatabase: TestDatabase;
let hub: StreamHub<EventJson, EventFilter>;
const workspaceId = randomUUID();
const random = (below: number) => Math.floor(Math.random() * below);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function jittery(source: StreamSource<EventJson, EventFilter>): StreamSource<EventJson, EventFilter> {
  return {
    ...source,
    readAfter: async (scope, afterId, limit, filter) => {
      await sleep(random(3));
      const rows = await source.readAfter(scope, afterId, limit, filter);
      // Replays (the only reads with a filter here) return late: live rows committed
      // after their snapshot get broadcast meanwhile and must come from the buffer.
      await sleep(random(filter ? 12 : 3));
      return rows;
    },
  };
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const { database } = testDatabase;
  await migrateKernel(database);
  await database.query(`insert into workspaces (id, name) values ($1, 'hub')`, [workspaceId]);
  hub = new StreamHub(database, jittery(eventStreamSource(database.db)), {
    heartbeatMs: 60_000,
    maxBufferedBytes: 4096,
    pageSize: 7,
    logger: pino({ level: 'silent' }),
  });
  await hub.start();
});
afterAll(async () => {
  await hub?.stop();
  await testDatabase?.drop();
});

/** Last id each reader has seen; writers wait for laggards so readers keep going live. */
const progress: number[] = [];
let latestWritten = 0;

async function writer(index: number, count: number) {
  for (let n = 0; n < count; ) {
    while (latestWritten - Math.min(...progress) > 15) await sleep(2);
    await sleep(random(4));
    const size = Math.min(count - n, 1 + random(4));
    await testDatabase.database.db.transaction(async (tx) => {
      for (let i = 0; i < size; i++, n++) {
        const { id } = await recordEvent(tx, {
          workspaceId,
          actorId: null,
          type: 'hub.tick',
          entityType: 'writer',
          entityId: String(index),
          data: { pad: 'x'.repeat(random(300)) },
        });
        latestWritten = Math.max(latestWritten, id);
      }
    });
  }
}

async function reader(slot: number, done: (lastId: number) => boolean) {
  progress[slot] = 0;
  const ids: number[] = [];
  let lastId = 0;
  let cuts = 0;
  while (!done(lastId)) {
    const sink = new WebStreamSink(4096);
    hub
      .subscribe({ scope: workspaceId, afterId: lastId, sink, filter: { types: ['hub.tick'] } })
      .catch(() => {});
    const stream = sink.stream.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const budget = 1 + random(40);
    let taken = 0;
    for (;;) {
      const { value, done: ended } = await stream.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const match = /^id: (\d+)$/m.exec(text.slice(0, end));
        text = text.slice(end + 2);
        if (!match) continue;
        ids.push(Number(match[1]));
        lastId = Number(match[1]);
        progress[slot] = lastId;
        taken++;
      }
      if (taken >= budget || done(lastId)) break;
      if (random(10) === 0) await sleep(random(5)); // a slow reader now and then
    }
    await stream.cancel();
    cuts++;
  }
  return { ids, cuts };
}

it('hands over from replay to live without gap or duplicate', async () => {
  let finalId: number | undefined;
  const readers = Array.from({ length: 4 }, (_, slot) =>
    reader(slot, (last) => finalId !== undefined && last >= finalId),
  );
  await Promise.all(Array.from({ length: 4 }, (_, i) => writer(i, 80)));
  finalId = 320;
  for (const { ids, cuts } of await Promise.all(readers)) {
    expect(cuts).toBeGreaterThan(5);
    expect(ids).toEqual(Array.from({ length: 320 }, (_, i) => i + 1));
  }
  expect(hub.stats().clients).toBe(0);
});
