/**
 * The per-workspace gate in front of every extension mount (404 EXTENSION_NOT_ENABLED
 * naming the extension), data kept across disable/enable, and the OpenAPI document
 * filtered to what a workspace has enabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import meetingNotes from '../../extensions/meeting-notes/index.ts';
import { installed, tinyExtension } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel({
    extensions: [
      installed(meetingNotes),
      installed(tinyExtension({ id: 'starter', enablement: 'default-on' })),
      installed(tinyExtension({ id: 'extra' })),
    ],
  });
  user = await t.signup('Gatekeeper');
});
afterAll(() => t?.close());

const setEnabled = async (extension: string, enabled: boolean) => {
  const response = await t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/${extension}`, {
    key: user.key,
    body: { enabled },
  });
  expect(response.status).toBe(200);
};

describe('the enablement gate', () => {
  it('answers 404 EXTENSION_NOT_ENABLED naming the extension on every route of a disabled one', async () => {
    const id = '0b7f8a52-7a35-4f37-9d8f-1f5a4b0c3a11';
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/m/meeting-notes'],
      ['POST', '/api/m/meeting-notes', { title: 'x' }],
      ['GET', `/api/m/meeting-notes/${id}`],
      ['PATCH', `/api/m/meeting-notes/${id}`, { title: 'y' }],
      ['DELETE', `/api/m/meeting-notes/${id}`],
    ];
    for (const [method, path, body] of requests) {
      const response = await t.call(method, path, { key: user.key, workspace: user.workspaceId, body });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error).toEqual({
        code: 'EXTENSION_NOT_ENABLED',
        message: `Extension "meeting-notes" is not enabled in this workspace; an admin can enable it with PUT /api/workspaces/${user.workspaceId}/extensions/meeting-notes`,
      });
    }
  });

  it('comes after membership: a non-member gets NOT_FOUND, not a hint about extensions', async () => {
    const stranger = await t.signup('Stranger');
    const response = await t.call('GET', '/api/m/meeting-notes', {
      key: stranger.key,
      workspace: user.workspaceId,
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('lets requests through once enabled, and keeps the data across disable and re-enable', async () => {
    const opts = { key: user.key, workspace: user.workspaceId };
    await setEnabled('meeting-notes', true);
    const created = await t.call('POST', '/api/m/meeting-notes', { ...opts, body: { title: 'Retro' } });
    expect(created.status).toBe(201);

    await setEnabled('meeting-notes', false);
    const gated = await t.call('GET', `/api/m/meeting-notes/${created.body.id}`, opts);
    expect(gated.body.error.code).toBe('EXTENSION_NOT_ENABLED');

    await setEnabled('meeting-notes', true);
    const list = await t.call('GET', '/api/m/meeting-notes', opts);
    expect(list.status).toBe(200);
    expect(list.body.items.map((note: any) => note.id)).toEqual([created.body.id]);
  });
});

describe('GET /openapi.json', () => {
  const extensionPaths = (doc: any) =>
    Object.keys(doc.paths)
      .filter((path) => path.startsWith('/api/m/'))
      .map((path) => path.split('/')[3])
      .filter((id, i, all) => all.indexOf(id) === i)
      .sort();

  it('shows every installed extension without a workspace', async () => {
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(extensionPaths(doc.body)).toEqual(['extra', 'meeting-notes', 'starter']);
    expect(doc.body.paths['/api/health']).toBeDefined();
  });

  it('shows only the enabled extensions of a workspace, by header or query', async () => {
    const other = await t.signup('Openapi');
    const byHeader = await t.call('GET', '/openapi.json', { key: other.key, workspace: other.workspaceId });
    expect(byHeader.status).toBe(200);
    expect(extensionPaths(byHeader.body)).toEqual(['starter']);
    expect(byHeader.body.paths['/api/workspaces/{workspace_id}/extensions']).toBeDefined();

    await t.call('PUT', `/api/workspaces/${other.workspaceId}/extensions/extra`, {
      key: other.key,
      body: { enabled: true },
    });
    const byQuery = await t.call('GET', `/openapi.json?workspace_id=${other.workspaceId}`, {
      key: other.key,
    });
    expect(extensionPaths(byQuery.body)).toEqual(['extra', 'starter']);
  });

  it("requires a member's key for a workspace's document", async () => {
    const other = await t.signup('Outsider');
    expect((await t.call('GET', `/openapi.json?workspace_id=${user.workspaceId}`)).status).toBe(401);
    const stranger = await t.call('GET', '/openapi.json', { key: other.key, workspace: user.workspaceId });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('NOT_FOUND');
    expect((await t.call('GET', '/openapi.json', { key: other.key, workspace: 'not-a-uuid' })).status).toBe(
      404,
    );
  });
});
