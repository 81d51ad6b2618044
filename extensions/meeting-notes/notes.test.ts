import { createTestKernel, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let t: TestKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel();
  user = await t.signup('Grace');
});
afterAll(() => t?.close());

const call = (method: string, path: string, body?: unknown) =>
  t.call(method, `/api/m/meeting-notes${path}`, { key: user.key, workspace: user.workspaceId, body });
const enable = (settings: Record<string, unknown>) =>
  t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/meeting-notes`, {
    key: user.key,
    body: { enabled: true, settings },
  });
const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

it('applies require_attendees to updates as well as creates', async () => {
  expect((await enable({ require_attendees: true })).status).toBe(200);
  expect((await call('POST', '', { title: 'Nobody came' })).status).toBe(400);
  const note = await call('POST', '', { title: 'Standup', attendees: ['Ada'] });
  expect(note.status).toBe(201);
  const emptied = await call('PATCH', `/${note.body.id}`, { attendees: [] });
  expect(emptied.status).toBe(400);
  expect(emptied.body.error.details).toEqual([
    { path: 'attendees', message: 'required by workspace settings' },
  ]);
  expect((await call('GET', `/${note.body.id}`)).body.attendees).toEqual(['Ada']);
  expect((await call('PATCH', `/${note.body.id}`, { title: 'Daily standup' })).status).toBe(200);
});

it('refuses a tampered cursor and an out-of-range held_at with a 400, not a 500', async () => {
  expect((await enable({})).status).toBe(200);
  for (const values of [
    ['not a date', '00000000-0000-4000-8000-000000000000'],
    ['2025-01-01T00:00:00.000Z', 'not a uuid'],
    ['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
  ]) {
    const page = await call('GET', `?cursor=${cursorOf(values)}`);
    expect(page.status, JSON.stringify(values)).toBe(400);
    expect(page.body.error.details[0].path).toBe('cursor');
  }
  const far = await call('POST', '', { title: 'Far future', held_at: '9999-12-31T23:59:59-14:00' });
  expect(far.status).toBe(400);
  expect(far.body.error.details[0].path).toBe('held_at');
});
