/**
 * PostgreSQL only (PGlite is one process's embedded database). Three real server
 * processes on one database run a cron trigger that fires every second and an event
 * trigger under a burst of events written through all three: no slot and no event
 * fires twice. Counted in the effects, not only the runs: every cron run created its
 * own object (distinct titles), and every burst task was patched exactly once
 * (version 2; a second PATCH would make it 3).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Database, openPostgres } from '../../kernel/db/database.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';

const BURST = 30;

describe.skipIf(!usingPostgres())('triggers across three server processes (PostgreSQL only)', () => {
  let drop: (() => Promise<void>) | undefined;
  let database: Database;
  const servers: ServerProcess[] = [];
  let key = '';
  let workspaceId = '';

  const api = async (server: ServerProcess, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'x-workspace-id': workspaceId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    drop = created.drop;
    for (let i = 0; i < 3; i++) servers.push(await startServerProcess({ DATABASE_URL: created.url }));
    database = await openPostgres(created.url, 4);
    const signup = await fetch(`${servers[0]!.url}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Owner', email: 'owner@example.com' }),
    });
    const body = (await signup.json()) as any;
    key = body.api_key.key;
    workspaceId = body.workspace.id;
  }, 240_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database?.close();
    await drop?.();
  });

  it('fires every slot and every event once', async () => {
    const cron = await api(servers[0]!, 'POST', '/api/triggers', {
      name: 'tick',
      type: 'cron',
      config: { expression: '* * * * * *' },
      max_fires_per_hour: 3600,
      action: {
        kind: 'operation',
        method: 'POST',
        path: '/api/objects',
        body: { type: 'task', title: 'tick {{scheduled_for}}' },
      },
    });
    expect(cron.status, JSON.stringify(cron.body)).toBe(201);
    const onEvent = await api(servers[1]!, 'POST', '/api/triggers', {
      name: 'start bursts',
      type: 'event',
      config: {
        types: ['object.created'],
        conditions: { metadata: [{ field: 'data.title', operator: 'contains', value: 'burst' }] },
      },
      max_fires_per_hour: 3600,
      action: {
        kind: 'operation',
        method: 'PATCH',
        path: '/api/objects/{{event.entity_id}}',
        body: { status: 'in_progress' },
      },
    });
    expect(onEvent.status, JSON.stringify(onEvent.body)).toBe(201);

    const burst = await Promise.all(
      Array.from({ length: BURST }, (_, n) =>
        api(servers[n % 3]!, 'POST', '/api/objects', { type: 'task', title: `burst ${n}` }),
      ),
    );
    expect(burst.every((answer) => answer.status === 201)).toBe(true);

    const runs = (triggerId: string) =>
      database.query<{ fire_key: string; status: string }>(
        'select fire_key, status from triggers_runs where trigger_id = $1',
        [triggerId],
      );
    await vi.waitFor(
      async () => {
        const done = (await runs(onEvent.body.id)).filter((run) => run.status === 'succeeded');
        expect(done.length).toBe(BURST);
        const ticks = (await runs(cron.body.id)).filter((run) => run.status === 'succeeded');
        expect(ticks.length).toBeGreaterThanOrEqual(5);
      },
      { timeout: 120_000, interval: 250 },
    );
    await api(servers[2]!, 'PATCH', `/api/triggers/${cron.body.id}`, { enabled: false });
    await api(servers[2]!, 'PATCH', `/api/triggers/${onEvent.body.id}`, { enabled: false });
    // let runs already claimed finish
    await vi.waitFor(
      async () => {
        const open = (await runs(cron.body.id)).filter(
          (run) => run.status === 'pending' || run.status === 'running',
        );
        expect(open).toEqual([]);
      },
      { timeout: 60_000, interval: 250 },
    );

    const patched = await database.query<{ version: number; status: string }>(
      "select version, status from objects where workspace_id = $1 and title like 'burst %'",
      [workspaceId],
    );
    expect(patched).toHaveLength(BURST);
    for (const row of patched) expect(row).toEqual({ version: 2, status: 'in_progress' });

    const tickRuns = (await runs(cron.body.id)).filter((run) => run.status === 'succeeded');
    const ticks = await database.query<{ title: string }>(
      "select title from objects where workspace_id = $1 and title like 'tick %'",
      [workspaceId],
    );
    expect(ticks.length).toBe(tickRuns.length);
    expect(new Set(ticks.map((row) => row.title)).size).toBe(ticks.length);
    const keys = (await runs(cron.body.id)).map((run) => run.fire_key);
    expect(new Set(keys).size).toBe(keys.length);
  }, 300_000);
});
