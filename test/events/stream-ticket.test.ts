/**
 * Stream tickets: a browser's EventSource sends no headers, so it opens the stream
 * with `?ticket=` from POST /api/events/stream-tickets. Over real HTTP: the ticket
 * alone opens the stream (replay and live), only for streams, only for its workspace,
 * only while fresh, and never beyond the rights of the key and membership it came from.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamTickets } from '../../kernel/auth/stream-tickets.ts';
import { recordEvent } from '../../kernel/events/record-event.ts';
import { createKernel, createLogger } from '../../kernel/kernel.ts';
import { collectUntil, connectSse, type ServedKernel, serveKernel } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel, testConfig } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

let t: TestKernel;
let server: ServedKernel;
let ada: Awaited<ReturnType<TestKernel['signup']>>;
let bob: Awaited<ReturnType<TestKernel['signup']>>;

beforeAll(async () => {
  t = await createTestKernel();
  server = await serveKernel(t.kernel);
  ada = await t.signup('Ada');
  bob = await t.signup('Bob');
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const record = (user: { workspaceId: string; actorId: string }, entityId: string) =>
  t.kernel.services.database.db.transaction((tx) =>
    recordEvent(tx, {
      workspaceId: user.workspaceId,
      actorId: user.actorId,
      type: 'task.created',
      entityType: 'task',
      entityId,
      data: {},
    }),
  );

async function ticketFor(user: { key: string; workspaceId: string }) {
  const response = await t.call('POST', '/api/events/stream-tickets', {
    key: user.key,
    workspace: user.workspaceId,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { ticket: string; expires_at: string; stream_url: string };
}

/** Opens a URL with no Authorization and no X-Workspace-Id, as EventSource does. */
const open = (path: string, headers: Record<string, string> = {}) =>
  connectSse(`${server.url}${path}`, { headers });

describe('POST /api/events/stream-tickets', () => {
  it('issues a 60-second ticket and the stream URL that uses it', async () => {
    const before = Date.now();
    const body = await ticketFor(ada);
    expect(body.ticket).toMatch(/^stk_[\w-]+\.[\w-]+$/);
    expect(body.ticket).not.toContain(ada.key.slice(4, 20));
    const expires = Date.parse(body.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 59_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 61_000);
    expect(body.stream_url).toBe(`/api/events/stream?ticket=${encodeURIComponent(body.ticket)}`);
  });

  it('needs a key and membership, like any workspace route', async () => {
    expect((await t.call('POST', '/api/events/stream-tickets', { workspace: ada.workspaceId })).status).toBe(
      401,
    );
    const stranger = await t.call('POST', '/api/events/stream-tickets', {
      key: bob.key,
      workspace: ada.workspaceId,
    });
    expect(stranger.status).toBe(404);
  });
});

describe('GET /api/events/stream?ticket=', () => {
  it('opens the stream with no headers: replay after last_event_id, then live', async () => {
    const first = await record(ada, 'before');
    await record(ada, 'missed');
    const { stream_url } = await ticketFor(ada);
    const connection = await open(`${stream_url}&last_event_id=${first.id}`);
    expect(connection.status, JSON.stringify(connection.errorBody)).toBe(200);
    try {
      await record(bob, 'elsewhere');
      await record(ada, 'live');
      const messages = await collectUntil(connection, (seen) =>
        seen.some((m) => m.data && JSON.parse(m.data).entity_id === 'live'),
      );
      const entities = messages.filter((m) => m.data).map((m) => JSON.parse(m.data!).entity_id);
      expect(entities).toEqual(['missed', 'live']);
    } finally {
      connection.close();
    }
  });

  it('refuses a tampered, foreign, malformed or expired ticket with 401', async () => {
    const { ticket } = await ticketFor(ada);
    const tampered = `${ticket.slice(0, -3)}${ticket.at(-3) === 'a' ? 'b' : 'a'}${ticket.slice(-2)}`;
    const foreign = new StreamTickets(randomBytes(32)).issue(
      (await t.call('GET', '/api/actors/me/api-keys', { key: ada.key })).body.items[0].id,
      ada.workspaceId,
    ).ticket;
    const expired = t.kernel.services.streamTickets.issue(
      (await t.call('GET', '/api/actors/me/api-keys', { key: ada.key })).body.items[0].id,
      ada.workspaceId,
      -1,
    ).ticket;
    for (const bad of [tampered, foreign, 'stk_x', 'stk_x.y', `${ticket}.z`, '', 'ank_nope']) {
      const connection = await open(`/api/events/stream?ticket=${encodeURIComponent(bad)}`);
      expect(connection.status, bad).toBe(401);
      expect(connection.errorBody.error.code).toBe('UNAUTHORIZED');
    }
    const late = await open(`/api/events/stream?ticket=${encodeURIComponent(expired)}`);
    expect(late.status).toBe(401);
    expect(late.errorBody.error.message).toMatch(/expired/);
  });

  it('opens streams only: the same ticket does not authenticate any other route', async () => {
    const { ticket } = await ticketFor(ada);
    const q = `ticket=${encodeURIComponent(ticket)}`;
    expect((await t.call('GET', `/api/events?${q}`)).status).toBe(401);
    expect((await t.call('GET', `/api/actors/me?${q}`)).status).toBe(401);
    expect((await t.call('POST', `/api/events/stream-tickets?${q}`)).status).toBe(401);
    expect((await t.call('GET', `/api/objects?${q}&workspace_id=${ada.workspaceId}`)).status).toBe(401);
  });

  it('is for its own workspace: naming another one is a 400', async () => {
    const { stream_url } = await ticketFor(ada);
    const other = await open(`${stream_url}&workspace_id=${bob.workspaceId}`);
    expect(other.status).toBe(400);
    const otherHeader = await open(stream_url, { 'x-workspace-id': bob.workspaceId });
    expect(otherHeader.status).toBe(400);
    const same = await open(stream_url, { 'x-workspace-id': ada.workspaceId });
    expect(same.status).toBe(200);
    same.close();
  });

  it('never outlives the key or the membership it was issued under', async () => {
    const carol = await t.signup('Carol');
    const spare = await t.call('POST', '/api/actors/me/api-keys', {
      key: carol.key,
      body: { name: 'browser' },
    });
    await inviteAndAccept(t, ada.key, ada.workspaceId, carol, 'viewer');
    const viaSpare = { key: spare.body.key, workspaceId: ada.workspaceId };
    const byRevokedKey = await ticketFor(viaSpare);
    await t.call('DELETE', `/api/actors/me/api-keys/${spare.body.id}`, { key: carol.key });
    const revoked = await open(byRevokedKey.stream_url);
    expect(revoked.status).toBe(401);
    expect(revoked.errorBody.error.message).toMatch(/revoked/);

    const byFormerMember = await ticketFor({ key: carol.key, workspaceId: ada.workspaceId });
    const removed = await t.call('DELETE', `/api/workspaces/${ada.workspaceId}/members/${carol.actorId}`, {
      key: ada.key,
    });
    expect(removed.status).toBeLessThan(300);
    const gone = await open(byFormerMember.stream_url);
    expect(gone.status).toBe(404);
  });

  it('is accepted by every instance on the database (one installation key)', async () => {
    const { ticket } = await ticketFor(ada);
    const second = await createKernel({
      config: testConfig(),
      database: t.testDatabase.database,
      logger: createLogger('silent'),
    });
    try {
      expect(second.services.streamTickets.open(ticket).workspaceId).toBe(ada.workspaceId);
    } finally {
      await second.close();
    }
  });
});
