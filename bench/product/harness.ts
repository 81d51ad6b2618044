/**
 * The product-extension benches' server: the real kernel with every discovered
 * extension (plus the caller's bench extensions) on a fresh database, served on a
 * loopback port in this process, an owner account, and a `custom` agent that runs the
 * sessions tests' fake agent (test/sessions/fixtures/fake-agent.mjs). Also the
 * HTTP-based pieces these benches share: JSON calls, polling with a deadline, an SSE
 * reader that timestamps each frame, and the two-process setup over child servers.
 *
 * Sessions' timings are tightened as in the sessions tests (control every 50 ms), so a
 * number here is the path's cost, not a poll interval of the shipped defaults.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type ClientRequest, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../kernel/config.ts';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import { discoverExtensions } from '../../kernel/registry/load-extensions.ts';
import type { InstalledExtension } from '../../kernel/registry/resolve-extensions.ts';
import { freshDatabaseEnv, sleep } from '../lib.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const FAKE_AGENT = join(ROOT, 'test', 'sessions', 'fixtures', 'fake-agent.mjs');

/** Sessions' installation config for the benches (MASKIN_EXT_SESSIONS_*), tighter than the defaults. */
export const SESSIONS_ENV = {
  MASKIN_EXT_SESSIONS_CONTROL_MS: '50',
  MASKIN_EXT_SESSIONS_HEARTBEAT_MS: '500',
  MASKIN_EXT_SESSIONS_DEAD_AFTER_MS: '10000',
  MASKIN_EXT_SESSIONS_SWEEP_CRON: '* * * * * *',
  MASKIN_EXT_SESSIONS_CLAUDE_BIN: 'claude-not-installed',
};

export interface Account {
  key: string;
  actorId: string;
  workspaceId: string;
}

export type Call = <T = any>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: T }>;

/** JSON calls over real HTTP as `account`. */
export function caller(url: string, account: () => Account): Call {
  return async (method, path, body) => {
    const response = await fetchRetrying(method, `${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${account().key}`,
        'x-workspace-id': account().workspaceId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

/**
 * fetch, retrying a GET whose connection failed (a keep-alive socket the server closed
 * as it was reused, under load); other methods are sent once.
 */
async function fetchRetrying(method: string, url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { ...init, method });
    } catch (error) {
      if (method !== 'GET' || attempt >= 3) throw error;
    }
  }
}

/** Signs up an owner and gives it a fake agent; `maxConcurrent` sessions may run at once. */
export async function setUpAccount(url: string, maxConcurrent: number) {
  const signup = await fetch(`${url}/api/actors/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', email: `bench-${randomBytes(4).toString('hex')}@example.com` }),
  });
  const body = (await signup.json()) as any;
  const account: Account = { key: body.api_key.key, actorId: body.actor.id, workspaceId: body.workspace.id };
  const call = caller(url, () => account);
  const agent = await call('POST', '/api/actors/agents', { name: 'Fake agent' });
  if (agent.status !== 201) throw new Error(`agent: ${agent.status} ${JSON.stringify(agent.body)}`);
  const profile = await call('PUT', `/api/sessions/agents/${agent.body.id}/profile`, {
    runtime: 'custom',
    command: [process.execPath, FAKE_AGENT],
  });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.body)}`);
  const settings = await call('PUT', `/api/workspaces/${account.workspaceId}/extensions/sessions`, {
    settings: { max_concurrent_sessions: maxConcurrent },
  });
  if (settings.status !== 200)
    throw new Error(`settings: ${settings.status} ${JSON.stringify(settings.body)}`);
  return { account, call, agentId: agent.body.id as string };
}

export interface ProductServer {
  kernel: Kernel;
  url: string;
  account: Account;
  agentId: string;
  call: Call;
  /** A raw query on the server's database (outside any transaction). */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function startProductServer(
  label: string,
  options: { extensions?: InstalledExtension[]; maxConcurrentSessions?: number } = {},
): Promise<ProductServer> {
  const database = await freshDatabaseEnv(label);
  const folder = mkdtempSync(join(tmpdir(), `maskin-bench-${label}-files-`));
  const config = loadConfig({
    ...database.env,
    LOG_LEVEL: 'silent',
    MASKIN_BOOTSTRAP: 'false',
    MASKIN_BLOB_DIR: join(folder, 'blobs'),
    MASKIN_EXT_SESSIONS_WORK_DIR: join(folder, 'work'),
    ...SESSIONS_ENV,
  });
  const installed = [
    ...(await discoverExtensions(ROOT, config.extensionSources)),
    ...(options.extensions ?? []),
  ];
  const kernel = await createKernel({ config, logger: createLogger('silent'), extensions: installed });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: kernel.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const close = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await kernel.beforeShutdown();
    await kernel.close();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Sessions' api_url defaults to HOST:PORT of the config; agents here never call back.
    await kernel.ready();
    const { account, call, agentId } = await setUpAccount(url, options.maxConcurrentSessions ?? 100);
    return {
      kernel,
      url,
      account,
      agentId,
      call,
      query: (text, params) => kernel.services.database.query(text, params),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls `probe` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { everyMs?: number; timeoutMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.everyMs ?? 10);
  }
}

/**
 * An SSE follower over node:http: calls `onFrame(event, data, at)` for each frame
 * (`at` is performance.now() on arrival). Resolves once the response headers arrived.
 */
export function followSse(
  url: string,
  headers: Record<string, string>,
  onFrame: (event: string, data: string, at: number) => void,
): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const request: ClientRequest = get(url, { headers, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        response.resume();
        return;
      }
      resolve({ close: () => request.destroy() });
      response.setEncoding('utf8');
      let carry = '';
      response.on('data', (chunk: string) => {
        const at = performance.now();
        const blocks = (carry + chunk).split('\n\n');
        carry = blocks.pop()!;
        for (const block of blocks) {
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) onFrame(event, data.join('\n'), at);
        }
      });
      response.on('error', () => {});
    });
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}
