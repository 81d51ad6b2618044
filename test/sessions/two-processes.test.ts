/**
 * Sessions shared by two real server processes on one PostgreSQL:
 * - a burst of sessions created through both is run exactly once each (one
 *   session.started and one key per session), whichever process claims it;
 * - killing (SIGKILL) the process that runs a session makes the other one mark it
 *   `failed` with reason `instance_lost: ...` naming the dead process, within a minute.
 * PostgreSQL only: PGlite is an in-process database that a second process cannot open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';
import { FAKE_AGENT } from './harness.ts';

describe.skipIf(!usingPostgres())('sessions across two server processes on one PostgreSQL', () => {
  let drop: (() => Promise<void>) | undefined;
  let sql: postgres.Sql | undefined;
  const servers: ServerProcess[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'maskin-sessions-two-'));
  let account: { key: string; workspaceId: string };
  let agentId: string;

  const call = async (server: ServerProcess, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${account.key}`,
        'x-workspace-id': account.workspaceId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    sql = postgres(database.url, { max: 2, onnotice: () => {} });
    const env = {
      DATABASE_URL: database.url,
      MASKIN_DATA_DIR: join(folder, 'data'),
      MASKIN_BLOB_DIR: join(folder, 'blobs'),
      MASKIN_EXT_SESSIONS_WORK_DIR: join(folder, 'work'),
      MASKIN_EXT_SESSIONS_HEARTBEAT_MS: '500',
      MASKIN_EXT_SESSIONS_DEAD_AFTER_MS: '3000',
      MASKIN_EXT_SESSIONS_SWEEP_CRON: '* * * * * *',
      MASKIN_EXT_SESSIONS_CONTROL_MS: '100',
    };
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    const signup = await fetch(`${servers[0]!.url}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Two', email: `sessions-two-${Date.now()}@example.com` }),
    });
    const body = (await signup.json()) as any;
    account = { key: body.api_key.key, workspaceId: body.workspace.id };
    const agent = await call(servers[0]!, 'POST', '/api/actors/agents', { name: 'Fake' });
    agentId = agent.body.id;
    await call(servers[0]!, 'PUT', `/api/sessions/agents/${agentId}/profile`, {
      runtime: 'custom',
      command: [process.execPath, FAKE_AGENT],
    });
    await call(servers[0]!, 'PUT', `/api/workspaces/${account.workspaceId}/extensions/sessions`, {
      settings: { max_concurrent_sessions: 50 },
    });
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await sql?.end();
    await drop?.();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs each session once, whichever process claims it', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 16; index++) {
      const created = await call(servers[index % 2]!, 'POST', '/api/sessions', {
        agent_id: agentId,
        prompt: 'results=1',
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    await until('every session to complete', async () => {
      const [row] =
        await sql!`select count(*)::int as n from sessions where id = any(${ids}) and status = 'completed'`;
      return row!.n === ids.length ? true : undefined;
    });
    const started = await sql!`
      select entity_id, count(*)::int as n from events
       where type = 'session.started' and entity_id = any(${ids}) group by entity_id`;
    expect(started).toHaveLength(ids.length);
    expect(started.every((row) => row.n === 1)).toBe(true);
    const keys = await sql!`select count(*)::int as n from api_keys where name like 'sessions: session %'`;
    expect(keys[0]!.n).toBe(ids.length);
  });

  it('fails the sessions of a killed process with the reason, from the other process', async () => {
    const created = await call(servers[0]!, 'POST', '/api/sessions', { agent_id: agentId, prompt: 'long=1' });
    const owner = await until('the session to run', async () => {
      const [row] = await sql!`
        select i.pid from sessions s join sessions_instances i on i.id = s.instance_id
         where s.id = ${created.body.id} and s.status = 'running'`;
      return row?.pid as number | undefined;
    });
    const victim = servers.find((server) => server.pid === owner)!;
    const survivor = servers.find((server) => server !== victim)!;
    await victim.kill('SIGKILL');
    servers.splice(servers.indexOf(victim), 1);
    const failed = await until(
      'the session to fail',
      async () => {
        const session = await call(survivor, 'GET', `/api/sessions/${created.body.id}`);
        return session.body.status === 'failed' ? session.body : undefined;
      },
      60_000,
    );
    expect(failed.reason).toMatch(/^instance_lost: /);
    expect(failed.reason).toContain(`pid ${owner}`);
  });
});
