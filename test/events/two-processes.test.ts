/**
 * PostgreSQL only: two server processes (`npx tsx kernel/main.ts`) on one database.
 * An event written through one is streamed by the other; SIGTERM ends the other's
 * streams cleanly with a retry hint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectToEnd, collectUntil, connectSse } from '../helpers/sse-client.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';

interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts a server and resolves with its URL once it logs `listening`. */
function startServer(databaseUrl: string): Promise<ServerProcess> {
  const child = spawn('npx', ['tsx', 'kernel/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      MASKIN_BOOTSTRAP: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: npx does not forward signals to the server, so stop signals the group.
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, 60_000);
    child.stdout!.setEncoding('utf8');
    child.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ child, url: JSON.parse(line).url, output: () => output });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

/** SIGTERM to the whole group; resolves once every process in it closed its output (SIGKILL after 20 s). */
function stopServer(server: ServerProcess | undefined): Promise<void> {
  const pid = server?.child.pid;
  if (!server || pid === undefined || server.child.stdout!.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => process.kill(-pid, 'SIGKILL'), 20_000);
    server.child.on('close', () => {
      clearTimeout(kill);
      resolve();
    });
    process.kill(-pid, 'SIGTERM');
  });
}

describe.skipIf(!usingPostgres())('two server processes on one PostgreSQL', () => {
  let drop: (() => Promise<void>) | undefined;
  let writer: ServerProcess | undefined;
  let streamer: ServerProcess | undefined;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    writer = await startServer(database.url);
    streamer = await startServer(database.url);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stopServer(writer), stopServer(streamer)]);
    await drop?.();
  });

  it('streams from one process what was written through the other', async () => {
    const email = `two-${randomBytes(4).toString('hex')}@example.com`;
    const signup = await fetch(`${writer!.url}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Two', email }),
    });
    expect(signup.status).toBe(201);
    const { api_key, workspace } = await signup.json();
    const connection = await connectSse(`${streamer!.url}/api/events/stream`, {
      key: api_key.key,
      workspace: workspace.id,
      lastEventId: 0,
    });
    expect(connection.status).toBe(200);
    const replayed = await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'live'));
    expect(replayed.some((m) => m.event === 'workspace.created')).toBe(true);

    for (const name of ['Renamed once', 'Renamed twice']) {
      const renamed = await fetch(`${writer!.url}/api/workspaces/${workspace.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${api_key.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      expect(renamed.status).toBe(200);
    }
    const live = await collectUntil(
      connection,
      (seen) => seen.filter((m) => m.event === 'workspace.updated').length === 2,
    );
    const updates = live.filter((m) => m.event === 'workspace.updated').map((m) => JSON.parse(m.data!));
    expect(updates.map((e) => e.workspace_id)).toEqual([workspace.id, workspace.id]);

    // SIGTERM: the streaming process ends the stream with a retry hint, then stops gracefully.
    const rest = collectToEnd(connection, 30_000);
    const stopped = stopServer(streamer);
    expect((await rest).at(-1)?.retry).toBeGreaterThan(0);
    await stopped;
    expect(streamer!.output()).toContain('"msg":"stopped"');
  });
});
