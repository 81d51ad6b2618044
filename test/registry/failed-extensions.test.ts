/**
 * An extension whose setup throws is marked failed: its mount answers 503
 * EXTENSION_FAILED with the reason, the extensions that require it fail with it,
 * and everything else keeps serving.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { installed, tinyExtension } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel({
    extensions: [
      installed(tinyExtension({ id: 'healthy', enablement: 'default-on' })),
      installed(
        tinyExtension({ id: 'broken', enablement: 'default-on', fail: 'cannot reach the mail server' }),
      ),
      installed(tinyExtension({ id: 'downstream', enablement: 'default-on', requires: ['broken'] })),
    ],
  });
  user = await t.signup('Failing');
});
afterAll(() => t?.close());

it('answers 503 EXTENSION_FAILED with the reason on the failed mount, at any path', async () => {
  for (const path of ['/api/m/broken', '/api/m/broken/anything/below']) {
    const response = await t.call('GET', path, { key: user.key, workspace: user.workspaceId });
    expect(response.status).toBe(503);
    expect(response.body.error).toEqual({
      code: 'EXTENSION_FAILED',
      message:
        'Extension "broken" failed to start: cannot reach the mail server. An operator must fix it; see GET /api/extensions.',
    });
  }
});

it('still requires authentication on the failed mount', async () => {
  expect((await t.call('GET', '/api/m/broken')).status).toBe(401);
});

it('fails the extensions that require the failed one', async () => {
  const response = await t.call('GET', '/api/m/downstream', { key: user.key, workspace: user.workspaceId });
  expect(response.status).toBe(503);
  expect(response.body.error.message).toContain('it requires "broken", which failed to start');
});

it('keeps serving the others', async () => {
  const response = await t.call('GET', '/api/m/healthy', { key: user.key, workspace: user.workspaceId });
  expect(response.status).toBe(200);
  expect(response.body.extension).toBe('healthy');
  expect((await t.call('GET', '/api/health')).status).toBe(200);
});

it('reports the failure in the catalog', async () => {
  const catalog = await t.call('GET', '/api/extensions', { key: user.key });
  const byId = Object.fromEntries(catalog.body.items.map((e: any) => [e.id, e]));
  expect(byId.healthy).toMatchObject({ status: 'ready', failure: null });
  expect(byId.broken).toMatchObject({ status: 'failed', failure: 'cannot reach the mail server' });
  expect(byId.downstream).toMatchObject({
    status: 'failed',
    failure: 'it requires "broken", which failed to start',
  });
});

it('leaves failed extensions out of the OpenAPI document', async () => {
  const doc = await t.call('GET', '/openapi.json');
  expect(Object.keys(doc.body.paths)).toContain('/api/m/healthy');
  expect(Object.keys(doc.body.paths)).not.toContain('/api/m/broken');
});
