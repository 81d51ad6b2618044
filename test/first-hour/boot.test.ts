/**
 * `npm start` as a real child process: a bad listen address or database fails in one
 * `maskin failed to start:` line naming what to fix, before any database work; a good
 * start prints progress, one summary line, and (first start only) the banner with the
 * shell exports and the stdio MCP config.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { createProcessDatabase } from '../helpers/test-database.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs kernel/main.ts to its exit (a failed start), returning its code and output. */
function failedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'kernel/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', MASKIN_BOOTSTRAP: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

const failureLines = (stderr: string) =>
  stderr.split('\n').filter((line) => line.startsWith('maskin failed to start:'));

describe('a bad address fails at once, before the database', () => {
  let occupied: Server;
  let port: number;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'maskin-boot-'));
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
    port = (occupied.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => occupied.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a port in use', async () => {
    const dataDir = join(scratch, 'port');
    const { code, stderr } = await failedStart({
      PORT: String(port),
      HOST: '127.0.0.1',
      MASKIN_DATA_DIR: dataDir,
    });
    expect(code).toBe(1);
    expect(failureLines(stderr)).toEqual([
      `maskin failed to start: cannot listen on 127.0.0.1:${port}: the port is already in use; stop the other process or set PORT to a free port`,
    ]);
    expect(stderr).not.toMatch(/Unhandled|at .*\.ts:/);
    // Nothing touched the database: the data folder was never created.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a HOST that does not resolve', async () => {
    const dataDir = join(scratch, 'host');
    const { code, stderr } = await failedStart({
      PORT: '0',
      HOST: 'no-such-host.invalid',
      MASKIN_DATA_DIR: dataDir,
    });
    expect(code).toBe(1);
    expect(failureLines(stderr)).toHaveLength(1);
    expect(stderr).toContain('HOST "no-such-host.invalid" does not resolve');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('invalid settings name the variable', async () => {
    const { code, stderr } = await failedStart({
      PORT: '0',
      MASKIN_CORS_ORIGINS: 'notaurl',
      DATABASE_URL: 'mysql://x/y',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^maskin failed to start: Invalid configuration:/m);
    expect(stderr).toContain('DATABASE_URL: must be a PostgreSQL URL');
    expect(stderr).toContain('MASKIN_CORS_ORIGINS: "notaurl" is not an origin');
  });

  it('a database that cannot be reached names DATABASE_URL', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const free = (probe.address() as { port: number }).port;
        probe.close(() => resolve(free));
      });
    });
    const unreachable = await failedStart({
      PORT: '0',
      DATABASE_URL: `postgres://maskin@127.0.0.1:${closed}/maskin`,
    });
    expect(unreachable.code).toBe(1);
    expect(failureLines(unreachable.stderr)).toEqual([
      `maskin failed to start: DATABASE_URL (postgres://maskin@127.0.0.1:${closed}/maskin): nothing accepts connections there; is PostgreSQL running, and on that port?`,
    ]);
    const unknownHost = await failedStart({
      PORT: '0',
      DATABASE_URL: 'postgres://maskin:secret@no-such-host.invalid/maskin',
    });
    expect(unknownHost.code).toBe(1);
    expect(failureLines(unknownHost.stderr)).toEqual([
      'maskin failed to start: DATABASE_URL (postgres://maskin@no-such-host.invalid/maskin): the host does not resolve; check the host name in DATABASE_URL',
    ]);
    // The password never reaches the terminal.
    expect(unknownHost.stderr).not.toContain('secret');
  });
});

describe('a good start', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ env, cleanup } = await createProcessDatabase('boot'));
  });
  afterAll(() => cleanup());

  it('prints progress, one summary line, and on the first start only the banner', async () => {
    const first = await startServerProcess({ ...env, MASKIN_BOOTSTRAP: 'true', HOST: '0.0.0.0' });
    let output: string;
    let me: Response;
    try {
      // The banner follows readiness by a moment: wait for its last line.
      for (let i = 0; i < 200 && !first.output().includes('mcpServers'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      output = first.output();
      const key = output.match(/MASKIN_API_KEY=(ank_\S+)/)?.[1];
      me = await fetch(`${first.url}/api/actors/me`, { headers: { authorization: `Bearer ${key}` } });
    } finally {
      await first.stop();
    }
    expect(output).toMatch(/^maskin: (creating|opening|connecting to)/m);
    expect(output).toContain('maskin: applying migrations');
    expect(output).toContain('maskin: loading extensions');
    expect(output).toMatch(/warning: signup is open and HOST 0\.0\.0\.0 is reachable from other machines/);
    const summary = output.split('\n').filter((line) => line.startsWith('maskin: listening on'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(
      /listening on http:\/\/localhost:\d+ · .+ · \d+ extensions loaded, 0 failed · [1-9]\d* migrations applied/,
    );
    const exports = output.match(
      /export MASKIN_URL=(\S+) MASKIN_API_KEY=(ank_\S+) MASKIN_WORKSPACE_ID=([0-9a-f-]{36})/,
    );
    expect(exports, output).not.toBeNull();
    const json = output.slice(output.indexOf('{', output.indexOf('JSON config')));
    const config = JSON.parse(json.slice(0, json.lastIndexOf('}') + 1));
    expect(config.mcpServers.maskin.env).toEqual({
      MASKIN_URL: exports![1],
      MASKIN_API_KEY: exports![2],
      MASKIN_WORKSPACE_ID: exports![3],
    });
    expect(me.status).toBe(200);

    const second = await startServerProcess({ ...env, MASKIN_BOOTSTRAP: 'true' });
    const again = second.output();
    await second.stop();
    expect(again).toMatch(/maskin: listening on http:\/\/127\.0\.0\.1:\d+ · .* · 0 migrations applied/);
    expect(again).not.toContain('MASKIN_API_KEY=');
    expect(again).not.toContain('warning: signup is open');
  });
});
