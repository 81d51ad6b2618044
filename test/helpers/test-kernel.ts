/**
 * createTestKernel boots the real kernel on a private database and offers a small
 * client over `app.request()` (in-process HTTP, the full middleware pipeline).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KernelConfig, loadConfig } from '../../kernel/config.ts';
import { createKernel, createLogger, type Kernel, type KernelOptions } from '../../kernel/kernel.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface CallOptions {
  key?: string;
  workspace?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestKernel {
  kernel: Kernel;
  testDatabase: TestDatabase;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<CallResult<T>>;
  signup(name?: string): Promise<{ key: string; actorId: string; workspaceId: string; email: string }>;
  close(): Promise<void>;
}

/**
 * Rate limits are off unless a test turns them on (test/security/rate-limits.test.ts):
 * suites make hundreds of requests with one key from one address in a few seconds.
 */
export const RATE_LIMITS_OFF = {
  MASKIN_RATE_LIMIT_PER_KEY: '0',
  MASKIN_RATE_LIMIT_PER_ADDRESS: '0',
  MASKIN_RATE_LIMIT_SIGNUP: '0',
};

export function testConfig(overrides: Record<string, string> = {}): KernelConfig {
  return loadConfig({ LOG_LEVEL: 'silent', MASKIN_BOOTSTRAP: 'false', ...RATE_LIMITS_OFF, ...overrides });
}

export async function createTestKernel(
  options: {
    env?: Record<string, string>;
    /** Run extensions' onReady hooks (background work) as a listening server would. Default true. */
    ready?: boolean;
  } & Partial<Omit<KernelOptions, 'config'>> = {},
): Promise<TestKernel> {
  const testDatabase = await createTestDatabase();
  // Blobs go to a private folder, removed on close, unless the test chose a store.
  const blobDir = mkdtempSync(join(tmpdir(), 'maskin-blobs-'));
  const config = testConfig({ MASKIN_BLOB_DIR: blobDir, ...options.env });
  let kernel: Kernel;
  try {
    kernel = await createKernel({
      ...options,
      config,
      database: testDatabase.database,
      logger: options.logger ?? createLogger('silent'),
    });
  } catch (error) {
    await testDatabase.drop();
    rmSync(blobDir, { recursive: true, force: true });
    throw error;
  }
  if (options.ready !== false) await kernel.ready();

  const call = async (method: string, path: string, o: CallOptions = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    if (o.workspace) headers['x-workspace-id'] = o.workspace;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await kernel.app.request(path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  };

  return {
    kernel,
    testDatabase,
    call,
    signup: async (name = 'Tester') => {
      const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${randomBytes(4).toString('hex')}@example.com`;
      const result = await call('POST', '/api/actors/signup', { body: { name, email } });
      if (result.status !== 201)
        throw new Error(`signup failed: ${result.status} ${JSON.stringify(result.body)}`);
      return {
        key: result.body.api_key.key,
        actorId: result.body.actor.id,
        workspaceId: result.body.workspace.id,
        email,
      };
    },
    close: async () => {
      await kernel.beforeShutdown();
      await kernel.close();
      await testDatabase.drop();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}
