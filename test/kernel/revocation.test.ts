/**
 * Two real server processes on one PostgreSQL database: a key revoked through one is
 * refused by the other within a second, although the other had it cached (the
 * revocation travels by NOTIFY). PostgreSQL only: the embedded database is one process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REVOCATION_DEADLINE_MS = 1000;

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `kernel/main.ts` on a free port and resolves with its URL once it logs `listening`. */
function startServer(databaseUrl: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'kernel/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // Port 0: the OS picks a free port, and the `listening` log line names it (no race).
      PORT: '0',
      HOST: '127.0.0.1',
      MASKIN_BOOTSTRAP: 'false',
      MASKIN_PUBLIC_URL: undefined,
      LOG_LEVEL: 'info',
    },
  });
  let output = '';
  return new Promise((done, fail) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'listening') done({ child, url: entry.url, output: () => output });
        } catch {
          // not a log line
        }
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('exit', (code) => fail(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}

describe.skipIf(!usingPostgres())('revocation across server processes', () => {
  const servers: Server[] = [];
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    dropDatabase = database.drop;
    // Both boot at once on the empty database: they also race through the migrations.
    servers.push(...(await Promise.all([startServer(database.url), startServer(database.url)])));
  });

  afterAll(async () => {
    await Promise.all(
      servers.map(
        ({ child }) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.on('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    await dropDatabase?.();
  });

  it('a key revoked on server A is refused by server B within a second', async () => {
    const [a, b] = servers as [Server, Server];
    const request = (server: Server, method: string, path: string, key: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const signup = await fetch(`${a.url}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Rotator', email: 'rotator@example.com' }),
    });
    expect(signup.status).toBe(201);
    const { api_key: main } = (await signup.json()) as { api_key: { key: string } };
    const created = await request(a, 'POST', '/api/actors/me/api-keys', main.key, { name: 'to revoke' });
    expect(created.status).toBe(201);
    const doomed = (await created.json()) as { id: string; key: string };

    // B verifies (and caches) the key.
    for (let i = 0; i < 3; i++)
      expect((await request(b, 'GET', '/api/actors/me', doomed.key)).status).toBe(200);

    const revoked = await request(a, 'DELETE', `/api/actors/me/api-keys/${doomed.id}`, main.key);
    expect(revoked.status).toBe(200);
    const revokedAt = performance.now();
    let status = 200;
    while (performance.now() - revokedAt < REVOCATION_DEADLINE_MS * 3) {
      status = (await request(b, 'GET', '/api/actors/me', doomed.key)).status;
      if (status !== 200) break;
      await new Promise((done) => setTimeout(done, 10));
    }
    const elapsed = performance.now() - revokedAt;
    expect(status).toBe(401);
    expect(elapsed).toBeLessThan(REVOCATION_DEADLINE_MS);

    // The key that was not revoked works on both.
    expect((await request(a, 'GET', '/api/actors/me', main.key)).status).toBe(200);
    expect((await request(b, 'GET', '/api/actors/me', main.key)).status).toBe(200);
  });
});
