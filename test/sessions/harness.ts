/**
 * A sessions test bench: the real kernel with every discovered extension, served on a
 * loopback port (the fake agent calls it back over HTTP and MCP), an owner, an agent
 * with a `custom` profile that runs test/sessions/fixtures/fake-agent.mjs, and helpers
 * that poll for a condition with a deadline (never a fixed sleep).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { freePort } from '../helpers/server-process.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

export const FAKE_AGENT = join(import.meta.dirname, 'fixtures', 'fake-agent.mjs');

export interface Bench {
  t: TestKernel;
  url: string;
  workRoot: string;
  owner: { key: string; actorId: string; workspaceId: string; email: string };
  agentId: string;
  as: (key?: string) => { key: string; workspace: string };
  call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; body: T }>;
  createAgent(name: string, profile?: Record<string, unknown>): Promise<string>;
  start(prompt: string, extra?: Record<string, unknown>): Promise<any>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  waitStatus(id: string, statuses: string[], timeoutMs?: number): Promise<any>;
  /** The agent process's pid, from the file the fake agent writes with FAKE_AGENT_PID_DIR. */
  waitPid(pidDir: string, sessionId: string): Promise<number>;
  logs(id: string, stream?: string): Promise<any[]>;
  eventsOf(id: string): Promise<any[]>;
  /** Closes the HTTP server only (close() also shuts the kernel down and drops the database). */
  stopServing(): Promise<void>;
  close(): Promise<void>;
}

export async function createBench(
  options: { env?: Record<string, string>; profile?: Record<string, unknown>; logger?: Logger } = {},
): Promise<Bench> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const workRoot = mkdtempSync(join(tmpdir(), 'maskin-sessions-'));
  const t = await createTestKernel({
    ...(options.logger ? { logger: options.logger } : {}),
    env: {
      MASKIN_EXT_SESSIONS_API_URL: url,
      MASKIN_EXT_SESSIONS_WORK_DIR: workRoot,
      MASKIN_EXT_SESSIONS_CONTROL_MS: '50',
      MASKIN_EXT_SESSIONS_HEARTBEAT_MS: '500',
      MASKIN_EXT_SESSIONS_DEAD_AFTER_MS: '10000',
      MASKIN_EXT_SESSIONS_SWEEP_CRON: '* * * * * *',
      MASKIN_EXT_SESSIONS_CLAUDE_BIN: 'claude-not-installed',
      ...options.env,
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: t.kernel.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const owner = await t.signup('Owner');
  const as = (key = owner.key) => ({ key, workspace: owner.workspaceId });
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const result = await t.call(method, path, { ...as(key), body });
    return { status: result.status, body: result.body };
  };
  const createAgent = async (name: string, profile: Record<string, unknown> = {}) => {
    const agent = await call('POST', '/api/actors/agents', { name });
    if (agent.status !== 201) throw new Error(`agent: ${agent.status} ${JSON.stringify(agent.body)}`);
    const put = await call('PUT', `/api/sessions/agents/${agent.body.id}/profile`, {
      runtime: 'custom',
      command: [process.execPath, FAKE_AGENT],
      ...profile,
    });
    if (put.status !== 200) throw new Error(`profile: ${put.status} ${JSON.stringify(put.body)}`);
    return agent.body.id as string;
  };
  const agentId = await createAgent('Fake agent', options.profile);
  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined | false>,
    timeoutMs = 20_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stopServing = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  const get = async (id: string) => (await call('GET', `/api/sessions/${id}`)).body;
  return {
    t,
    url,
    workRoot,
    owner,
    agentId,
    as,
    call,
    createAgent,
    waitFor,
    async start(prompt, extra = {}) {
      const created = await call('POST', '/api/sessions', { agent_id: agentId, prompt, ...extra });
      if (created.status !== 201)
        throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
      return created.body;
    },
    async waitStatus(id, statuses, timeoutMs) {
      let last: any;
      try {
        return await waitFor(
          `session ${id} to be ${statuses.join('/')}`,
          async () => {
            last = await get(id);
            return statuses.includes(last.status) ? last : undefined;
          },
          timeoutMs,
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; last: ${JSON.stringify(last)}`);
      }
    },
    waitPid(pidDir, sessionId) {
      return waitFor('the pid file', async () => {
        try {
          return Number(readFileSync(join(pidDir, `${sessionId}.pid`), 'utf8'));
        } catch {
          return undefined;
        }
      });
    },
    async logs(id, stream) {
      const lines: any[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({
          limit: '200',
          ...(cursor ? { cursor } : {}),
          ...(stream ? { stream } : {}),
        });
        const page = await call('GET', `/api/sessions/${id}/logs?${query}`);
        lines.push(...page.body.items);
        cursor = page.body.next_cursor;
      } while (cursor);
      return lines;
    },
    async eventsOf(id) {
      const page = await call('GET', `/api/events?entity_type=session&entity_id=${id}&order=asc&limit=200`);
      return page.body.items as any[];
    },
    stopServing,
    async close() {
      await stopServing();
      await t.close();
      rmSync(workRoot, { recursive: true, force: true });
    },
  };
}
