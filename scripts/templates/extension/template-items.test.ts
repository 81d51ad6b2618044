import { createTestKernel, installed, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import extension from './index.ts';

let t: TestKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(extension)] });
  user = await t.signup('Author');
});
afterAll(() => t?.close());

const enable = (settings: Record<string, unknown> = {}) =>
  t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/template-items`, {
    key: user.key,
    body: { enabled: true, settings },
  });

it('is off until a workspace enables it', async () => {
  const response = await t.call('GET', '/api/m/template-items', {
    key: user.key,
    workspace: user.workspaceId,
  });
  expect(response.status).toBe(404);
  expect(response.body.error.code).toBe('EXTENSION_NOT_ENABLED');
});

it('creates and lists items, recording an event', async () => {
  expect((await enable()).status).toBe(200);
  const opts = { key: user.key, workspace: user.workspaceId };
  const created = await t.call('POST', '/api/m/template-items', { ...opts, body: { title: 'First' } });
  expect(created.status).toBe(201);
  const list = await t.call('GET', '/api/m/template-items', opts);
  expect(list.body).toEqual({ items: [created.body], next_cursor: null });
  const events = await t.kernel.services.database.query<{ type: string }>(
    'select type from events where workspace_id = $1 and entity_id = $2',
    [user.workspaceId, created.body.id],
  );
  expect(events.map((event) => event.type)).toEqual(['template_items_item.created']);
});

it('applies the workspace settings', async () => {
  expect((await enable({ max_title_length: 5 })).status).toBe(200);
  const opts = { key: user.key, workspace: user.workspaceId };
  const response = await t.call('POST', '/api/m/template-items', { ...opts, body: { title: 'Too long' } });
  expect(response.status).toBe(400);
  expect(response.body.error.details).toEqual([
    { path: 'title', message: 'longer than the max_title_length setting' },
  ]);
});
