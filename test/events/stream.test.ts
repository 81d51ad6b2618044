/** GET /api/events/stream over real HTTP on loopback: protocol, resume, filters, limits, shutdown. */
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../kernel/events/record-event.ts';
import {
  collectToEnd,
  collectUntil,
  connectSse,
  type ServedKernel,
  type SseMessage,
  serveKernel,
  waitFor,
} from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let server: ServedKernel;
let ada: Awaited<ReturnType<TestKernel['signup']>>;
let bob: Awaited<ReturnType<TestKernel['signup']>>;

const MAX_BUFFERED = 64 * 1024;

beforeAll(async () => {
  t = await createTestKernel({
    env: {
      MASKIN_SSE_HEARTBEAT_MS: '200',
      MASKIN_SSE_MAX_STREAMS_PER_ACTOR: '3',
      MASKIN_SSE_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    },
  });
  server = await serveKernel(t.kernel);
  ada = await t.signup('Ada');
  bob = await t.signup('Bob');
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const record = (
  user: { workspaceId: string; actorId: string },
  type = 'task.created',
  entityId = 'x',
  data: Record<string, unknown> = {},
) =>
  t.kernel.services.database.db.transaction((tx) =>
    recordEvent(tx, {
      workspaceId: user.workspaceId,
      actorId: user.actorId,
      type,
      entityType: 'task',
      entityId,
      data,
    }),
  );

const stream = (
  query = '',
  options: { lastEventId?: number | string; key?: string; workspace?: string } = {},
) =>
  connectSse(`${server.url}/api/events/stream${query}`, {
    key: options.key ?? ada.key,
    workspace: options.workspace ?? ada.workspaceId,
    lastEventId: options.lastEventId,
  });

const events = (messages: SseMessage[]) => messages.filter((m) => m.id !== undefined);
const isLive = (messages: SseMessage[]) => messages.some((m) => m.comment === 'live');

describe('GET /api/events/stream', () => {
  it('replays after Last-Event-ID, then streams live, in the shape of the log', async () => {
    const { id: first } = await record(ada, 'task.created', 'r0');
    for (let i = 1; i < 3; i++) await record(ada, 'task.created', `r${i}`);
    const connection = await stream('', { lastEventId: first - 1 });
    expect(connection.status).toBe(200);
    expect(connection.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(connection.headers.get('x-request-id')).toBeTruthy();
    const replayed = await collectUntil(connection, isLive);
    expect(events(replayed).map((m) => Number(m.id))).toEqual([first, first + 1, first + 2]);
    await record(ada, 'task.updated', 'r0', { title: 'new' });
    const live = await collectUntil(connection, (seen) => events(seen).length === 1);
    connection.close();

    const log = (
      await t.call('GET', `/api/events?order=asc&after_id=${first - 1}`, {
        key: ada.key,
        workspace: ada.workspaceId,
      })
    ).body.items;
    const streamed = [...events(replayed), ...events(live)];
    expect(streamed.map((m) => JSON.parse(m.data!))).toEqual(log);
    expect(streamed.map((m) => m.event)).toEqual(log.map((e: any) => e.type));
    expect(streamed.map((m) => m.id)).toEqual(log.map((e: any) => String(e.id)));
  });

  it('takes ?last_event_id= when no header is sent; the header wins', async () => {
    const byQuery = await stream('?last_event_id=3');
    expect(events(await collectUntil(byQuery, isLive))[0]!.id).toBe('4');
    byQuery.close();
    const both = await stream('?last_event_id=1', { lastEventId: 4 });
    expect(events(await collectUntil(both, isLive))[0]!.id).toBe('5');
    both.close();
    const bad = await stream('', { lastEventId: 'abc' });
    expect(bad.status).toBe(400);
    expect(bad.errorBody.error.code).toBe('VALIDATION_ERROR');
  });

  it('without Last-Event-ID starts with what commits after it is live', async () => {
    const connection = await stream();
    const first = await collectUntil(connection, isLive);
    expect(events(first)).toEqual([]);
    const { id } = await record(ada, 'task.created', 'fresh');
    const [message] = events(await collectUntil(connection, (seen) => events(seen).length === 1));
    expect(message!.id).toBe(String(id));
    connection.close();
  });

  it('filters by type and entity, in replay and live', async () => {
    const { id: before } = await record(ada, 'task.created', 'f0');
    await record(ada, 'bet.created', 'f1');
    await record(ada, 'task.deleted', 'f1');
    await record(ada, 'task.created', 'f1');
    const connection = await stream('?type=task.deleted,task.created&entity_id=f1', { lastEventId: before });
    const replayed = await collectUntil(connection, isLive);
    expect(events(replayed).map((m) => [m.event, JSON.parse(m.data!).entity_id])).toEqual([
      ['task.deleted', 'f1'],
      ['task.created', 'f1'],
    ]);
    await record(ada, 'task.created', 'f2');
    await record(ada, 'bet.created', 'f1');
    const { id: last } = await record(ada, 'task.deleted', 'f1');
    const live = await collectUntil(connection, (seen) => events(seen).length === 1);
    expect(events(live).map((m) => m.id)).toEqual([String(last)]);
    connection.close();
  });

  it('never shows another workspace', async () => {
    const connection = await stream('', { lastEventId: 0 });
    await collectUntil(connection, isLive);
    await record(bob, 'task.created', 'bob-secret');
    const { id } = await record(ada, 'task.created', 'after-bob');
    const seen = await collectUntil(connection, (messages) => messages.some((m) => m.id === String(id)));
    connection.close();
    for (const message of events(seen)) expect(JSON.parse(message.data!).workspace_id).toBe(ada.workspaceId);
    const foreign = await stream('', { workspace: bob.workspaceId });
    expect(foreign.status).toBe(404);
    expect(foreign.errorBody.error.code).toBe('NOT_FOUND');
  });

  it('sends a comment heartbeat', async () => {
    const connection = await stream();
    await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'heartbeat'));
    connection.close();
  });

  it('caps open streams per actor with 429 RATE_LIMITED', async () => {
    const open = [await stream(), await stream(), await stream()];
    expect(open.map((c) => c.status)).toEqual([200, 200, 200]);
    const refused = await stream();
    expect(refused.status).toBe(429);
    expect(refused.errorBody.error.code).toBe('RATE_LIMITED');
    // Another actor is not affected.
    const other = await stream('', { key: bob.key, workspace: bob.workspaceId });
    expect(other.status).toBe(200);
    other.close();
    open[0]!.close();
    await waitFor(() => t.kernel.services.streamQuota.openStreams(ada.actorId) === 2);
    const again = await stream();
    expect(again.status).toBe(200);
    for (const connection of [...open, again]) connection.close();
    await waitFor(() => t.kernel.services.streamQuota.openStreams(ada.actorId) === 0);
  });

  it('closes a client that stops reading with a retry hint; it resumes without loss', async () => {
    const hub = t.kernel.services.eventStream;
    const { id: start } = await record(ada, 'task.created', 'slow-start');
    await waitFor(() => hub.stats().clients === 0);
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      get(
        `${server.url}/api/events/stream`,
        {
          headers: {
            authorization: `Bearer ${ada.key}`,
            'x-workspace-id': ada.workspaceId,
            'last-event-id': String(start),
          },
        },
        resolve,
      ).on('error', reject),
    );
    expect(response.statusCode).toBe(200);
    response.pause();
    await waitFor(() => hub.stats().clients === 1);
    const payload = 'x'.repeat(32 * 1024);
    let written = 0;
    while (hub.stats().clients > 0) {
      await record(ada, 'file.uploaded', `slow-${written}`, { payload });
      written++;
      if (written > 5_000) throw new Error('the slow client was never closed');
    }
    // Closed: what commits from now on reaches it only through a resume.
    for (let i = 0; i < 3; i++, written++) await record(ada, 'file.uploaded', `missed-${i}`);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      text += chunk;
    });
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(text).toMatch(/retry: \d+\n\n$/);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => start + 1 + i));
    const resumed = await stream('?type=file.uploaded', { lastEventId: ids.at(-1) ?? start });
    const rest = events(await collectUntil(resumed, isLive));
    resumed.close();
    expect([...ids, ...rest.map((m) => Number(m.id))]).toEqual(
      Array.from({ length: written }, (_, i) => start + 1 + i),
    );
  });

  it('also works in-process through app.request() (web stream fallback)', async () => {
    const response = await t.kernel.app.request('/api/events/stream', {
      headers: {
        authorization: `Bearer ${ada.key}`,
        'x-workspace-id': ada.workspaceId,
        'last-event-id': '1',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    // Heartbeat comments may come first when replay is slow (a loaded machine): skip them.
    const decoder = new TextDecoder();
    let text = '';
    while (!/^id: /m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text.replace(/^:[^\n]*\n\n/gm, '')).toMatch(/^id: 2\nevent: [a-z_.]+\ndata: \{/);
    await reader.cancel();
    await waitFor(() => t.kernel.services.streamQuota.openStreams(ada.actorId) === 0);
  });

  it('ends streams cleanly on shutdown and refuses new ones', async () => {
    const connection = await stream();
    await collectUntil(connection, isLive);
    const ended = collectToEnd(connection, 60_000);
    await t.kernel.beforeShutdown();
    const rest = await ended;
    expect(rest.at(-1)?.retry).toBeGreaterThan(0);
    const refused = await stream();
    expect(refused.status).toBe(503);
    expect(refused.errorBody.error.code).toBe('UNAVAILABLE');
  });
});
