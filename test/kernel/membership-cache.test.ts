/**
 * Roles are cached per process (kernel/auth/membership-cache.ts). Two kernels on one
 * database stand for two instances: a demotion or removal made through A reaches B's
 * cache through NOTIFY (B never sees A's in-process eviction), and A itself answers the
 * next request with the new role at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import { createTestKernel, type TestKernel, testConfig } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

let a: TestKernel;
let b: Kernel;
let owner: { key: string; workspaceId: string };
let member: { key: string; actorId: string; email: string };

beforeAll(async () => {
  a = await createTestKernel({ extensions: [] });
  b = await createKernel({
    config: testConfig(),
    database: a.testDatabase.database,
    logger: createLogger('silent'),
    extensions: [],
  });
  owner = await a.signup('Owner');
  member = await a.signup('Member');
  await inviteAndAccept(a, owner.key, owner.workspaceId, member, 'admin');
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const renameThrough = async (kernel: Kernel, name: string) =>
  (
    await kernel.app.request(`/api/workspaces/${owner.workspaceId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${member.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
  ).status;

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('a demotion through one instance ends the cached role on the other', async () => {
  // Both instances have cached the admin role.
  expect(await renameThrough(a.kernel, 'by A')).toBe(200);
  expect(await renameThrough(b, 'by B')).toBe(200);

  const demoted = await a.call('PATCH', `/api/workspaces/${owner.workspaceId}/members/${member.actorId}`, {
    key: owner.key,
    body: { role: 'viewer' },
  });
  expect(demoted.status).toBe(200);
  // The instance that made the change knows at once.
  expect(await renameThrough(a.kernel, 'still admin?')).toBe(403);
  // The other learns it from the NOTIFY sent in the demoting transaction.
  await eventually(async () => (await renameThrough(b, 'still admin?')) === 403, 'B to refuse the viewer');
});

it('a removal through one instance ends the cached membership on the other', async () => {
  const read = (kernel: Kernel) =>
    kernel.app.request(`/api/workspaces/${owner.workspaceId}`, {
      headers: { authorization: `Bearer ${member.key}` },
    });
  expect((await read(b)).status).toBe(200);
  const removed = await a.call('DELETE', `/api/workspaces/${owner.workspaceId}/members/${member.actorId}`, {
    key: owner.key,
  });
  expect(removed.status).toBe(204);
  expect((await read(a.kernel)).status).toBe(404);
  await eventually(async () => (await read(b)).status === 404, 'B to forget the member');
});

it('someone just added is never refused from a cached absence', async () => {
  await inviteAndAccept(a, owner.key, owner.workspaceId, member, 'member');
  const read = await b.app.request(`/api/workspaces/${owner.workspaceId}`, {
    headers: { authorization: `Bearer ${member.key}` },
  });
  expect(read.status).toBe(200);
});
