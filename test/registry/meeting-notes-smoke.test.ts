import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

it('gates, enables and serves meeting notes', async () => {
  const u = await t.signup('Grace');
  const opts = { key: u.key, workspace: u.workspaceId };
  const gated = await t.call('POST', '/api/m/meeting-notes', { ...opts, body: { title: 'Kickoff' } });
  expect(gated.status).toBe(404);
  expect(gated.body.error.code).toBe('EXTENSION_NOT_ENABLED');
  const enable = await t.call('PUT', `/api/workspaces/${u.workspaceId}/extensions/meeting-notes`, {
    key: u.key,
    body: { enabled: true, settings: { default_duration_minutes: 45 } },
  });
  expect(enable.status).toBe(200);
  const created = await t.call('POST', '/api/m/meeting-notes', { ...opts, body: { title: 'Kickoff' } });
  expect(created.status).toBe(201);
  expect(created.body.duration_minutes).toBe(45);
  const catalog = await t.call('GET', '/api/extensions', { key: u.key });
  const entry = catalog.body.items.find((item: { id: string }) => item.id === 'meeting-notes');
  expect(entry.tools).toContain('meeting_notes_create_note');
  const doc = await t.call('GET', '/openapi.json', { key: u.key, workspace: u.workspaceId });
  expect(Object.keys(doc.body.paths)).toContain('/api/m/meeting-notes');
});
