/**
 * PostgreSQL only (PGlite is one process's embedded database: two servers cannot
 * share it). Two real server processes load the subscription fixture
 * (MASKIN_EXTENSIONS) on one database: every event is handled exactly once in total,
 * counted in the rows the handlers wrote (the table has no unique key, so a duplicate
 * would be a second row). Then both stop, events are written directly, one starts
 * again and delivers all of them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Database, openPostgres } from '../../kernel/db/database.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';
import { deliveries, pings, writeEvents } from './harness.ts';

const DELIVERED_TYPES = ['fixture.ping', 'workspace.updated'];

async function api(server: ServerProcess, method: string, path: string, key?: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Every delivered-type event in the log, as `workspace:id`. */
async function matchingEvents(database: Database): Promise<string[]> {
  const rows = await database.query<{ scope: string; id: string | number }>(
    'select scope, id from events where type = any($1::text[]) order by scope, id',
    [DELIVERED_TYPES],
  );
  return rows.map((row) => `${row.scope}:${Number(row.id)}`);
}

async function expectEachHandledOnce(database: Database) {
  const expected = await matchingEvents(database);
  await vi.waitFor(
    async () => expect((await deliveries(database)).length).toBeGreaterThanOrEqual(expected.length),
    {
      timeout: 60_000,
      interval: 200,
    },
  );
  const handled = (await deliveries(database)).map((row) => `${row.workspace_id}:${row.event_id}`);
  expect(handled.sort()).toEqual(expected.sort());
}

describe.skipIf(!usingPostgres())('subscriptions across two server processes (PostgreSQL only)', () => {
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl: string;
  let writer: Database;
  const servers: ServerProcess[] = [];
  const start = async () => {
    const server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      MASKIN_EXTENSIONS: './test/fixtures/subscription-fixture',
    });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    databaseUrl = database.url;
    await start();
    await start();
    writer = await openPostgres(databaseUrl, 8);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await writer?.close();
    await drop?.();
  });

  let workspaces: string[] = [];

  it('handles every event exactly once in total across both processes', async () => {
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const email = `subs-${Date.now()}@example.com`;
    const signup = await api(first, 'POST', '/api/actors/signup', undefined, { name: 'Subs', email });
    expect(signup.status).toBe(201);
    const key: string = signup.body.api_key.key;
    workspaces = [signup.body.workspace.id];
    for (const name of ['Two', 'Three', 'Four']) {
      const created = await api(second, 'POST', '/api/workspaces', key, { name });
      expect(created.status).toBe(201);
      workspaces.push(created.body.id);
    }
    // Writers in every workspace at once, plus renames through both servers' API.
    await Promise.all([
      ...workspaces.map((workspaceId) => writeEvents(writer, workspaceId, pings(60))),
      ...[first, second].map(async (server, index) => {
        for (let round = 0; round < 5; round++) {
          const renamed = await api(server, 'PATCH', `/api/workspaces/${workspaces[index]}`, key, {
            name: `Renamed ${round}`,
          });
          expect(renamed.status).toBe(200);
        }
      }),
    ]);
    expect(await matchingEvents(writer)).toHaveLength(4 * 60 + 2 * 5);
    await expectEachHandledOnce(writer);
  }, 120_000);

  it('delivers what was written while every process was down', async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    for (const workspaceId of workspaces)
      await writeEvents(writer, workspaceId, pings(10, { while_down: true }));
    const handledBefore = (await deliveries(writer)).length;
    expect(await matchingEvents(writer)).toHaveLength(handledBefore + 40);
    await start();
    await expectEachHandledOnce(writer);
  }, 120_000);
});
