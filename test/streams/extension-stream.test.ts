/**
 * An extension's own stream (streamsRef) over real HTTP: live delivery, resume after
 * Last-Event-ID with every later line exactly once, heartbeat, the per-actor quota it
 * shares with the event stream, the guard (a revoked key ends it), stream tickets, and
 * bad resume ids. The fixture extension (fixture/index.ts) keeps its lines in its own
 * table with a per-scope counter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, createLogger } from '../../kernel/kernel.ts';
import { installed } from '../helpers/extensions.ts';
import {
  collectToEnd,
  collectUntil,
  connectSse,
  type ServedKernel,
  serveKernel,
} from '../helpers/sse-client.ts';
import { type TestKernel, testConfig } from '../helpers/test-kernel.ts';
import streamDemo from './fixture/index.ts';
import {
  appendLine,
  isLive,
  lineIds,
  openLog,
  recordKernelEvent,
  startStreamKernel,
  type User,
} from './stream-demo.ts';

let t: TestKernel;
let server: ServedKernel;
let ada: User;

beforeAll(async () => {
  t = await startStreamKernel({ MASKIN_SSE_HEARTBEAT_MS: '200', MASKIN_SSE_MAX_STREAMS_PER_ACTOR: '2' });
  server = await serveKernel(t.kernel);
  ada = await t.signup('Ada');
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe('an extension stream', () => {
  it('delivers lines live, with id, event and JSON data, and nothing from other logs or the event log', async () => {
    const connection = await openLog(server.url, ada, 'live');
    expect(connection.status, JSON.stringify(connection.errorBody)).toBe(200);
    expect(connection.headers.get('content-type')).toMatch(/^text\/event-stream/);
    try {
      await collectUntil(connection, isLive);
      await appendLine(t, ada, 'elsewhere', 'not for this stream');
      await recordKernelEvent(t, ada);
      const id = await appendLine(t, ada, 'live', 'hello');
      const seen = await collectUntil(connection, (messages) => lineIds(messages).includes(id));
      const lines = seen.filter((m) => m.id !== undefined);
      expect(lines).toEqual([
        { id: String(id), event: 'stream-demo.line', data: JSON.stringify({ id, text: 'hello' }) },
      ]);
    } finally {
      connection.close();
    }
  });

  it('resumes after Last-Event-ID with every later line exactly once, then live', async () => {
    const before = [];
    for (let i = 0; i < 5; i++) before.push(await appendLine(t, ada, 'resume', `before ${i}`));
    const cursor = before[1]!;
    const connection = await openLog(server.url, ada, 'resume', { lastEventId: cursor });
    expect(connection.status).toBe(200);
    try {
      // Lines appended concurrently with the replay: each must arrive once, whichever path brings it.
      const during = await Promise.all(
        Array.from({ length: 20 }, (_, i) => appendLine(t, ada, 'resume', `during ${i}`)),
      );
      const last = Math.max(...during);
      const seen = await collectUntil(connection, (messages) => lineIds(messages).includes(last));
      const expected = [...before.filter((id) => id > cursor), ...during].sort((a, b) => a - b);
      expect(lineIds(seen)).toEqual(expected);
      const after = await appendLine(t, ada, 'resume', 'after');
      const more = await collectUntil(connection, (messages) => lineIds(messages).includes(after));
      expect(lineIds(more)).toEqual([after]);
    } finally {
      connection.close();
    }
  });

  it('resumes from ?last_event_id= and applies the route’s filter to replay and live', async () => {
    const first = await appendLine(t, ada, 'filtered', 'apple one');
    await appendLine(t, ada, 'filtered', 'pear');
    const second = await appendLine(t, ada, 'filtered', 'apple two');
    const connection = await openLog(server.url, ada, 'filtered', {
      query: `?last_event_id=0&contains=apple`,
    });
    expect(connection.status).toBe(200);
    try {
      await appendLine(t, ada, 'filtered', 'plum');
      const third = await appendLine(t, ada, 'filtered', 'apple three');
      const seen = await collectUntil(connection, (messages) => lineIds(messages).includes(third));
      expect(lineIds(seen)).toEqual([first, second, third]);
    } finally {
      connection.close();
    }
  });

  it('sends the heartbeat', async () => {
    const connection = await openLog(server.url, ada, 'quiet');
    try {
      await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'heartbeat'));
    } finally {
      connection.close();
    }
  });

  it('refuses a resume id that is not an id with 400', async () => {
    for (const bad of ['abc', '-1', '1.5']) {
      const connection = await openLog(server.url, ada, 'x', { query: `?last_event_id=${bad}` });
      expect(connection.status, bad).toBe(400);
      expect(connection.errorBody.error.code).toBe('VALIDATION_ERROR');
    }
    const byHeader = await connectSse(`${server.url}/api/m/stream-demo/logs/x/stream`, {
      key: ada.key,
      workspace: ada.workspaceId,
      lastEventId: 'nope',
    });
    expect(byHeader.status).toBe(400);
  });

  it('shares the per-actor quota with the event stream (429 for either kind)', async () => {
    const bea = await t.signup('Bea');
    const events = await connectSse(`${server.url}/api/events/stream`, {
      key: bea.key,
      workspace: bea.workspaceId,
    });
    const log = await openLog(server.url, bea, 'quota');
    try {
      expect(events.status).toBe(200);
      expect(log.status).toBe(200);
      const thirdLog = await openLog(server.url, bea, 'quota');
      expect(thirdLog.status).toBe(429);
      expect(thirdLog.errorBody.error.code).toBe('RATE_LIMITED');
      const thirdEvents = await connectSse(`${server.url}/api/events/stream`, {
        key: bea.key,
        workspace: bea.workspaceId,
      });
      expect(thirdEvents.status).toBe(429);
      // Someone else is not affected.
      const other = await openLog(server.url, ada, 'quota');
      expect(other.status).toBe(200);
      other.close();
    } finally {
      events.close();
      log.close();
    }
  });

  it('ends when its key is revoked, with a retry hint; the reconnect gets 401', async () => {
    const cleo = await t.signup('Cleo');
    const extra = await t.call('POST', '/api/actors/me/api-keys', { key: cleo.key, body: { name: 'extra' } });
    expect(extra.status).toBe(201);
    const viaExtra = { key: extra.body.key as string, workspaceId: cleo.workspaceId };
    const connection = await openLog(server.url, viaExtra, 'revoked');
    expect(connection.status).toBe(200);
    await collectUntil(connection, isLive);
    const revoked = await t.call('DELETE', `/api/actors/me/api-keys/${extra.body.id}`, { key: cleo.key });
    expect(revoked.status).toBe(200);
    const rest = await collectToEnd(connection, 10_000);
    expect(rest.at(-1)?.retry).toBeGreaterThan(0);
    expect((await openLog(server.url, viaExtra, 'revoked')).status).toBe(401);
  });

  it('opens with a stream ticket and no headers (browsers), resuming from last_event_id', async () => {
    const first = await appendLine(t, ada, 'ticket', 'one');
    const second = await appendLine(t, ada, 'ticket', 'two');
    const issued = await t.call('POST', '/api/events/stream-tickets', {
      key: ada.key,
      workspace: ada.workspaceId,
    });
    expect(issued.status).toBe(201);
    const connection = await openLog(server.url, {}, 'ticket', {
      query: `?ticket=${encodeURIComponent(issued.body.ticket)}&last_event_id=${first}`,
    });
    expect(connection.status, JSON.stringify(connection.errorBody)).toBe(200);
    try {
      const third = await appendLine(t, ada, 'ticket', 'three');
      const seen = await collectUntil(connection, (messages) => lineIds(messages).includes(third));
      expect(lineIds(seen)).toEqual([second, third]);
    } finally {
      connection.close();
    }
    const forged = await openLog(server.url, {}, 'ticket', { query: '?ticket=stk_forged.sig' });
    expect(forged.status).toBe(401);
  });

  it('delivers a line written through another instance on the same database', async () => {
    const second = await createKernel({
      config: testConfig(),
      database: t.testDatabase.database,
      logger: createLogger('silent'),
      extensions: [installed(streamDemo)],
    });
    await second.ready();
    const secondServer = await serveKernel(second);
    try {
      const connection = await openLog(secondServer.url, ada, 'shared');
      expect(connection.status).toBe(200);
      await collectUntil(connection, isLive);
      const id = await appendLine(t, ada, 'shared', 'written on the first instance');
      const seen = await collectUntil(connection, (messages) => lineIds(messages).includes(id));
      expect(lineIds(seen)).toEqual([id]);
      connection.close();
    } finally {
      await secondServer.close();
      await second.beforeShutdown();
      await second.close();
    }
  });
});
