/**
 * Finding 5 (issue 10): an admin who adds their workspace's agent to a workspace of
 * their own (with a higher role there) must not lock the agent's home owners out of its
 * keys. The owners of the workspace an agent was created in can always list and revoke
 * them, so a key the admin minted can be cut off after the admin is removed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [] });
});
afterAll(() => t?.close());

it('the home owner audits and revokes the keys of an agent an admin took elsewhere', async () => {
  const owner = await t.signup('Home owner');
  const admin = await t.signup('Rogue admin');
  await inviteAndAccept(t, owner.key, owner.workspaceId, admin, 'admin');
  const agent = await t.call('POST', '/api/actors/agents', {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name: 'Home bot' },
  });
  expect(agent.status).toBe(201);
  const agentId = agent.body.id as string;

  // The takeover: the admin adds the agent to their own workspace as admin, then mints a key.
  const adopted = await t.call('POST', `/api/workspaces/${admin.workspaceId}/members`, {
    key: admin.key,
    body: { actor_id: agentId, role: 'admin' },
  });
  expect(adopted.status, JSON.stringify(adopted.body)).toBe(201);
  const minted = await t.call('POST', `/api/actors/${agentId}/api-keys`, {
    key: admin.key,
    body: { name: 'mine' },
  });
  expect(minted.status).toBe(201);

  // The home owner still sees every key of the agent.
  const listed = await t.call('GET', `/api/actors/${agentId}/api-keys`, { key: owner.key });
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  expect(listed.body.items.map((k: { id: string }) => k.id)).toContain(minted.body.id);

  // The admin is removed; their key still works in the home workspace until revoked.
  expect(
    (
      await t.call('DELETE', `/api/workspaces/${owner.workspaceId}/members/${admin.actorId}`, {
        key: owner.key,
      })
    ).status,
  ).toBe(204);
  const read = () => t.call('GET', `/api/workspaces/${owner.workspaceId}`, { key: minted.body.key });
  expect((await read()).status).toBe(200);
  const revoked = await t.call('DELETE', `/api/actors/${agentId}/api-keys/${minted.body.id}`, {
    key: owner.key,
  });
  expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
  expect(revoked.body.revoked_at).not.toBeNull();
  expect((await read()).status).toBe(401);

  // Auditing does not become minting: the home owner cannot mint a key that would reach
  // the admin's workspace, where the agent is admin.
  expect(
    (await t.call('POST', `/api/actors/${agentId}/api-keys`, { key: owner.key, body: { name: 'x' } })).status,
  ).toBe(404);
  // And someone who is not a home owner still learns nothing.
  const stranger = await t.signup('Stranger');
  expect((await t.call('GET', `/api/actors/${agentId}/api-keys`, { key: stranger.key })).status).toBe(404);
});
