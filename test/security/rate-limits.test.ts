/**
 * Finding 11 (issue 10): rate limits per client address (signup, and every request)
 * and per API key, counted in PostgreSQL so two instances share them; over the limit
 * 429 RATE_LIMITED with Retry-After. Real HTTP on loopback (the address comes from the
 * socket), two kernels on one database for "across instances".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import { type ServedKernel, serveKernel } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel, testConfig } from '../helpers/test-kernel.ts';

const LIMITS = {
  MASKIN_RATE_LIMIT_SIGNUP: '3',
  MASKIN_RATE_LIMIT_PER_KEY: '40',
  MASKIN_RATE_LIMIT_PER_ADDRESS: '100000',
};

let t: TestKernel;
let second: Kernel;
let servers: ServedKernel[] = [];
beforeAll(async () => {
  t = await createTestKernel({ env: LIMITS, extensions: [] });
  second = await createKernel({
    config: testConfig(LIMITS),
    database: t.testDatabase.database,
    logger: createLogger('silent'),
    extensions: [],
  });
  // One instant for both instances: no window ends in the middle of a test.
  const pinned = Date.UTC(2030, 0, 1, 12, 0, 30);
  t.kernel.services.rateLimiter.clock = () => pinned;
  second.services.rateLimiter.clock = () => pinned;
  servers = [await serveKernel(t.kernel), await serveKernel(second)];
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await second?.close();
  await t?.close();
});

const signup = (server: ServedKernel, n: number) =>
  fetch(`${server.url}/api/actors/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Bulk ${n}`, email: `bulk-${n}-${Date.now()}@example.com` }),
  });

describe('rate limits', () => {
  it('signups from one address stop at the limit, across both instances, with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let n = 0; n < 6; n++) {
      const response = await signup(servers[n % 2]!, n);
      statuses.push(response.status);
      if (response.status === 429) refused = response;
      else await response.body?.cancel();
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
    const body = (await refused!.json()) as { error: { code: string } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('requests with one API key stop at the limit across instances (batched claims stay within it)', async () => {
    const user = await t.signup('Busy'); // in-process: no address, not counted as a signup
    let ok = 0;
    let limited = 0;
    for (let n = 0; n < 60; n++) {
      const response = await fetch(`${servers[n % 2]!.url}/api/actors/me`, {
        headers: { authorization: `Bearer ${user.key}` },
      });
      await response.body?.cancel();
      if (response.status === 200) ok++;
      else if (response.status === 429) {
        limited++;
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    // Two instances may each hold one unspent batch (40/20 = 2 requests): never more.
    expect(ok).toBeGreaterThanOrEqual(40 - 2 * 2);
    expect(ok).toBeLessThanOrEqual(40);
    expect(ok + limited).toBe(60);
    // Another key is not affected.
    const other = await t.signup('Calm');
    const response = await fetch(`${servers[0]!.url}/api/actors/me`, {
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(response.status).toBe(200);
  });
});
