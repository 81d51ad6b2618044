/**
 * agentKeysRef mints keys for agents that are limited to one workspace and expire:
 * the key works in its workspace, is answered as a non-member in another workspace
 * of the same agent, is refused on actor-level routes (it cannot mint itself an
 * unlimited key), and stops working everywhere once the minting extension revokes it.
 * Only agents that are members can get one, and an extension cannot revoke keys it did
 * not mint.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentKeysRef, defineExtension, type ExtensionAgentKeys } from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

const keys = new Map<string, ExtensionAgentKeys>();
const minter = (id: string) =>
  defineExtension({
    manifest: { id, version: '1.0.0', kernel: '^1.0.0', enablement: 'default-on', description: 'Mints keys' },
    deps: { agentKeys: agentKeysRef },
    setup({ deps }) {
      keys.set(id, deps.agentKeys);
      return {};
    },
  });

let t: TestKernel;
let owner: Awaited<ReturnType<TestKernel['signup']>>;
let agentId: string;
let otherWorkspace: string;

beforeAll(async () => {
  t = await createTestKernel({
    extensions: [installed(minter('minter')), installed(minter('other-minter'))],
  });
  owner = await t.signup('Owner');
  const agent = await t.call('POST', '/api/actors/agents', {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name: 'Runner' },
  });
  agentId = agent.body.id;
  const created = await t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'Second' } });
  otherWorkspace = created.body.id;
  const added = await t.call('POST', `/api/workspaces/${otherWorkspace}/members`, {
    key: owner.key,
    body: { actor_id: agentId, role: 'member' },
  });
  expect(added.status).toBe(201);
});
afterAll(() => t?.close());

const mint = (extension = 'minter', input: Partial<{ agentId: string; expiresAt: Date }> = {}) =>
  t.kernel.services.database.db.transaction((tx) =>
    keys.get(extension)!.mint(tx, {
      agentId: input.agentId ?? agentId,
      workspaceId: owner.workspaceId,
      name: 'run 1',
      expiresAt: input.expiresAt ?? new Date(Date.now() + 60_000),
      createdBy: owner.actorId,
    }),
  );

it('works in its workspace only, never on actor-level routes, until revoked', async () => {
  const minted = await mint();
  expect(minted.key).toMatch(/^ank_/);
  const own = await t.call('GET', '/api/events', { key: minted.key, workspace: owner.workspaceId });
  expect(own.status).toBe(200);
  const other = await t.call('GET', '/api/events', { key: minted.key, workspace: otherWorkspace });
  expect(other.status).toBe(404);
  const selfMint = await t.call('POST', `/api/actors/${agentId}/api-keys`, {
    key: minted.key,
    body: { name: 'escape' },
  });
  expect(selfMint.status).toBe(403);
  expect((await t.call('POST', '/api/workspaces', { key: minted.key, body: { name: 'x' } })).status).toBe(
    403,
  );

  // Another extension cannot revoke it; its minter can.
  const db = t.kernel.services.database.db;
  const revokeBy = (extension: string) =>
    db.transaction((tx) =>
      keys.get(extension)!.revoke(tx, { keyId: minted.id, workspaceId: owner.workspaceId, revokedBy: null }),
    );
  expect(await revokeBy('other-minter')).toBe(false);
  expect(await revokeBy('minter')).toBe(true);
  expect(await revokeBy('minter')).toBe(false);
  const after = await t.call('GET', '/api/events', { key: minted.key, workspace: owner.workspaceId });
  expect(after.status).toBe(401);
});

it('refuses humans, non-members and keys that never expire soon', async () => {
  await expect(mint('minter', { agentId: owner.actorId })).rejects.toMatchObject({ status: 404 });
  await expect(mint('minter', { expiresAt: new Date(Date.now() + 8 * 24 * 3600_000) })).rejects.toMatchObject(
    {
      status: 400,
    },
  );
  await expect(mint('minter', { expiresAt: new Date(Date.now() - 1) })).rejects.toMatchObject({
    status: 400,
  });
});
