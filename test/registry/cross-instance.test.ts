/**
 * Two real server processes on one PostgreSQL database: an enablement change made
 * through A reaches B's cached gate through NOTIFY within a second. PostgreSQL only
 * (PGlite is one process's database).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';

const PROPAGATION_LIMIT_MS = 1000;

interface Server {
  url: string;
  child: ChildProcess;
}

/** Starts `kernel/main.ts` on a free port and resolves with its URL once it listens. */
async function startServer(databaseUrl: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'kernel/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      MASKIN_BOOTSTRAP: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time: ${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  lines.on('line', () => {});
  return { url, child };
}

async function stopServer(server: Server | undefined) {
  if (!server || server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
}

async function request(
  server: Server,
  method: string,
  path: string,
  options: { key?: string; workspace?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.workspace) headers['x-workspace-id'] = options.workspace;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Polls until `check` holds; returns how long that took. */
async function timeUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > limitMs * 5) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

describe.skipIf(!usingPostgres())('enablement across server processes', () => {
  let a: Server | undefined;
  let b: Server | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    [a, b] = await Promise.all([startServer(database.url), startServer(database.url)]);
  });
  afterAll(async () => {
    await Promise.all([stopServer(a), stopServer(b)]);
    await drop?.();
  });

  it('a change through A is seen by B within a second, both ways', async () => {
    const signup = await request(a!, 'POST', '/api/actors/signup', {
      body: { name: 'Ops', email: `ops-${Date.now()}@example.com` },
    });
    expect(signup.status).toBe(201);
    const key = signup.body.api_key.key as string;
    const workspace = signup.body.workspace.id as string;
    const notesOnB = () => request(b!, 'GET', '/api/m/meeting-notes', { key, workspace });

    // B caches "disabled" for this workspace.
    const before = await notesOnB();
    expect(before.body.error.code).toBe('EXTENSION_NOT_ENABLED');

    const path = `/api/workspaces/${workspace}/extensions/meeting-notes`;
    expect((await request(a!, 'PUT', path, { key, body: { enabled: true } })).status).toBe(200);
    const enabledAfter = await timeUntil(async () => (await notesOnB()).status === 200, PROPAGATION_LIMIT_MS);
    expect(enabledAfter).toBeLessThan(PROPAGATION_LIMIT_MS);

    expect((await request(a!, 'PUT', path, { key, body: { enabled: false } })).status).toBe(200);
    const disabledAfter = await timeUntil(
      async () => (await notesOnB()).body.error?.code === 'EXTENSION_NOT_ENABLED',
      PROPAGATION_LIMIT_MS,
    );
    expect(disabledAfter).toBeLessThan(PROPAGATION_LIMIT_MS);
  });
});
