/**
 * Issue 10, findings 7, 8 and 12, and the /openapi.json handler:
 * - times past year 9999 (after applying the offset) are a 400, not a 500;
 * - deeply nested settings (any JSON body) are a 400, not a stack overflow;
 * - every response carries X-Content-Type-Options: nosniff; responses with secrets
 *   Cache-Control: no-store (also in secrets-at-rest.test.ts);
 * - /openapi.json with a workspace goes through the same authentication and membership
 *   steps as every workspace route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../kernel/contract/pagination.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let owner: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Hardened');
});
afterAll(() => t?.close());

const PAST_9999 = '9999-12-31T23:00:00-05:00'; // 10000-01-01T04:00Z

describe('finding 7: times past 9999', () => {
  it('events since/until, key expires_at and the API-keys cursor answer 400', async () => {
    for (const query of [
      `since=${encodeURIComponent(PAST_9999)}`,
      `until=${encodeURIComponent(PAST_9999)}`,
    ]) {
      const events = await t.call('GET', `/api/events?${query}`, {
        key: owner.key,
        workspace: owner.workspaceId,
      });
      expect(events.status, JSON.stringify(events.body)).toBe(400);
      const account = await t.call('GET', `/api/events/account?${query}`, { key: owner.key });
      expect(account.status).toBe(400);
    }
    const key = await t.call('POST', '/api/actors/me/api-keys', {
      key: owner.key,
      body: { name: 'forever', expires_at: PAST_9999 },
    });
    expect(key.status, JSON.stringify(key.body)).toBe(400);
    expect(key.body.error.details[0].path).toBe('expires_at');
    const cursor = encodeCursor(['+010000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']);
    const page = await t.call('GET', `/api/actors/me/api-keys?cursor=${cursor}`, { key: owner.key });
    expect(page.status, JSON.stringify(page.body)).toBe(400);
  });
});

describe('finding 8: deeply nested settings', () => {
  const nested = (levels: number) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = { a: value };
    return value as Record<string, unknown>;
  };

  it('workspace and extension settings nested thousands deep are a 400, and change nothing', async () => {
    // Written as text: JSON.stringify itself would overflow on it.
    const deep = `${'{"a":'.repeat(20_000)}"leaf"${'}'.repeat(20_000)}`;
    const json = { 'content-type': 'application/json' };
    const workspace = await t.call('PATCH', `/api/workspaces/${owner.workspaceId}`, {
      key: owner.key,
      rawBody: `{"settings":${deep}}`,
      headers: json,
    });
    expect(workspace.status, JSON.stringify(workspace.body).slice(0, 300)).toBe(400);
    expect(workspace.body.error.message).toMatch(/nests objects or arrays more than \d+ levels/);
    const created = await t.call('POST', '/api/workspaces', {
      key: owner.key,
      rawBody: `{"name":"D","settings":${deep}}`,
      headers: json,
    });
    expect(created.status).toBe(400);
    const extension = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/objects`, {
      key: owner.key,
      rawBody: `{"settings":${deep}}`,
      headers: json,
    });
    expect(extension.status).toBe(400);
    const after = await t.call('GET', `/api/workspaces/${owner.workspaceId}`, { key: owner.key });
    expect(after.body.settings).toEqual({});
    // Reasonable nesting is fine.
    const shallow = await t.call('PATCH', `/api/workspaces/${owner.workspaceId}`, {
      key: owner.key,
      body: { settings: nested(10) },
    });
    expect(shallow.status).toBe(200);
  });
});

describe('finding 12: headers', () => {
  it('every response carries nosniff: success, error, not found, health, the OpenAPI document', async () => {
    const responses = [
      await t.call('GET', '/api/actors/me', { key: owner.key }),
      await t.call('GET', '/api/actors/me'),
      await t.call('GET', '/api/nothing-here'),
      await t.call('GET', '/api/health'),
      await t.call('GET', '/openapi.json'),
      await t.call('POST', '/api/workspaces', {
        key: owner.key,
        rawBody: '{not json',
        headers: { 'content-type': 'application/json' },
      }),
    ];
    for (const response of responses) expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a created API key is sent with Cache-Control: no-store; ordinary reads are not', async () => {
    const key = await t.call('POST', '/api/actors/me/api-keys', {
      key: owner.key,
      body: { name: 'nostore' },
    });
    expect(key.headers.get('cache-control')).toBe('no-store');
    const me = await t.call('GET', '/api/actors/me', { key: owner.key });
    expect(me.headers.get('cache-control')).toBeNull();
  });
});

describe('/openapi.json', () => {
  it('with a workspace: the same 401/404 as any workspace route, including for loose ids', async () => {
    const stranger = await t.signup('Stranger');
    const ws = owner.workspaceId;
    expect((await t.call('GET', '/openapi.json', { workspace: ws })).status).toBe(401);
    expect((await t.call('GET', '/openapi.json', { key: stranger.key, workspace: ws })).status).toBe(404);
    // A 36-character string of hex digits and dashes that is not a uuid is not looked up.
    const loose = `${ws.slice(0, 8)}${ws.slice(9, 10)}-${ws.slice(10)}`.slice(0, 36);
    expect((await t.call('GET', '/openapi.json', { key: owner.key, workspace: loose })).status).toBe(404);
    const mine = await t.call('GET', `/openapi.json?workspace_id=${ws}`, { key: owner.key });
    expect(mine.status).toBe(200);
    expect(mine.body.openapi).toBeDefined();
    expect((await t.call('GET', '/openapi.json?workspace=x')).status).toBe(400);
    expect((await t.call('GET', '/openapi.json')).status).toBe(200);
  });
});
