/**
 * Open streams lose their authorization like any request would: a revoked key, a
 * removed member or a deleted workspace ends them at once (on every instance, through
 * NOTIFY), and an expired key at the next periodic guard check (every heartbeat
 * interval; 200 ms in the first part, 60 s in the second, where only NOTIFY can act).
 * Ended streams get a `retry:` hint; the reconnect meets the 401 or 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import {
  collectToEnd,
  collectUntil,
  connectSse,
  type ServedKernel,
  type SseConnection,
  serveKernel,
} from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel, testConfig } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

type User = Awaited<ReturnType<TestKernel['signup']>>;

let t: TestKernel;
let server: ServedKernel;
let second: Kernel;
let secondServer: ServedKernel;
const env = { MASKIN_SSE_HEARTBEAT_MS: '200' };

beforeAll(async () => {
  t = await createTestKernel({ env });
  server = await serveKernel(t.kernel);
  // A second instance on the same database, as another server process would be.
  second = await createKernel({
    config: testConfig(env),
    database: t.testDatabase.database,
    logger: createLogger('silent'),
  });
  secondServer = await serveKernel(second);
});
afterAll(async () => {
  await secondServer?.close();
  await server?.close();
  await second?.close();
  await t?.close();
});

async function open(user: { key: string; workspaceId: string }, on: ServedKernel = server) {
  const connection = await connectSse(`${on.url}/api/events/stream`, {
    key: user.key,
    workspace: user.workspaceId,
  });
  expect(connection.status, JSON.stringify(connection.errorBody)).toBe(200);
  await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'live'));
  return connection;
}

/**
 * The server ends the stream with a retry hint. `ms` is the expected delay; the wait
 * allows generous slack for a loaded CI machine (if the client gave up, the last
 * message would be a heartbeat, not the hint).
 */
async function endsWithin(connection: SseConnection, ms: number) {
  const rest = await collectToEnd(connection, ms + 5_000);
  expect(rest.at(-1)?.retry).toBeGreaterThan(0);
}

/** The stream is still open: it keeps receiving heartbeats. */
async function staysOpen(connection: SseConnection) {
  await collectUntil(connection, (seen) => seen.filter((m) => m.comment === 'heartbeat').length >= 2, 5_000);
}

async function newKey(user: User, body: Record<string, unknown> = { name: 'extra' }) {
  const created = await t.call('POST', '/api/actors/me/api-keys', { key: user.key, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; key: string };
}

it('a revoked key ends its streams on every instance; the actor’s other keys keep theirs', async () => {
  const ada = await t.signup('Ada');
  const extra = await newKey(ada);
  const viaExtraHere = await open({ key: extra.key, workspaceId: ada.workspaceId });
  const viaExtraThere = await open({ key: extra.key, workspaceId: ada.workspaceId }, secondServer);
  const viaMain = await open(ada);
  try {
    const revoked = await t.call('DELETE', `/api/actors/me/api-keys/${extra.id}`, { key: ada.key });
    expect(revoked.status).toBe(200);
    await endsWithin(viaExtraHere, 1_000);
    await endsWithin(viaExtraThere, 1_000);
    await staysOpen(viaMain);
    const again = await connectSse(`${server.url}/api/events/stream`, {
      key: extra.key,
      workspace: ada.workspaceId,
    });
    expect(again.status).toBe(401);
  } finally {
    viaMain.close();
  }
});

it('a key that expires ends its streams', async () => {
  const bea = await t.signup('Bea');
  const shortLived = await newKey(bea, {
    name: 'short',
    expires_at: new Date(Date.now() + 1_500).toISOString(),
  });
  const connection = await open({ key: shortLived.key, workspaceId: bea.workspaceId });
  await endsWithin(connection, 3_000);
});

it('removing a member ends their streams of that workspace only', async () => {
  const owner = await t.signup('Olga');
  const guest = await t.signup('Gus');
  await inviteAndAccept(t, owner.key, owner.workspaceId, guest, 'viewer');
  const guestThere = await open({ key: guest.key, workspaceId: owner.workspaceId }, secondServer);
  const guestHome = await open(guest);
  const ownerStream = await open(owner);
  try {
    const removed = await t.call('DELETE', `/api/workspaces/${owner.workspaceId}/members/${guest.actorId}`, {
      key: owner.key,
    });
    expect(removed.status).toBeLessThan(300);
    await endsWithin(guestThere, 1_000);
    await staysOpen(guestHome);
    await staysOpen(ownerStream);
  } finally {
    guestHome.close();
    ownerStream.close();
  }
});

it('deleting a workspace ends every stream of it', async () => {
  const owner = await t.signup('Dora');
  const created = await t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'Short-lived' } });
  expect(created.status).toBe(201);
  const doomed = { key: owner.key, workspaceId: created.body.id };
  const streams = [await open(doomed), await open(doomed, secondServer)];
  const home = await open(owner);
  try {
    expect(
      (await t.call('DELETE', `/api/workspaces/${created.body.id}`, { key: owner.key })).status,
    ).toBeLessThan(300);
    for (const stream of streams) await endsWithin(stream, 1_000);
    await staysOpen(home);
  } finally {
    home.close();
  }
});

describe('without waiting for the periodic check (heartbeat 60 s)', () => {
  let slow: TestKernel;
  let slowServer: ServedKernel;
  beforeAll(async () => {
    slow = await createTestKernel({ env: { MASKIN_SSE_HEARTBEAT_MS: '60000' } });
    slowServer = await serveKernel(slow.kernel);
  });
  afterAll(async () => {
    await slowServer?.close();
    await slow?.close();
  });

  it('removing a member ends their streams as soon as the removal commits', async () => {
    const owner = await slow.signup('Mona');
    const guest = await slow.signup('Gil');
    await inviteAndAccept(slow, owner.key, owner.workspaceId, guest, 'viewer');
    const connection = await connectSse(`${slowServer.url}/api/events/stream`, {
      key: guest.key,
      workspace: owner.workspaceId,
    });
    expect(connection.status).toBe(200);
    await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'live'));
    const removed = await slow.call(
      'DELETE',
      `/api/workspaces/${owner.workspaceId}/members/${guest.actorId}`,
      {
        key: owner.key,
      },
    );
    expect(removed.status).toBeLessThan(300);
    // Well inside the 60 s heartbeat: only the removal's NOTIFY can have triggered the check.
    const rest = await collectToEnd(connection, 10_000);
    expect(rest.at(-1)?.retry).toBeGreaterThan(0);
  });

  it('deleting a workspace ends its streams as soon as the deletion commits', async () => {
    const owner = await slow.signup('Wanda');
    const created = await slow.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'Brief' } });
    const connection = await connectSse(`${slowServer.url}/api/events/stream`, {
      key: owner.key,
      workspace: created.body.id,
    });
    expect(connection.status).toBe(200);
    await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'live'));
    expect((await slow.call('DELETE', `/api/workspaces/${created.body.id}`, { key: owner.key })).status).toBe(
      204,
    );
    const rest = await collectToEnd(connection, 10_000);
    expect(rest.at(-1)?.retry).toBeGreaterThan(0);
  });
});
