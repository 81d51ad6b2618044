/**
 * membersRef: roles, keyset pages of members, actors with email only for a viewer
 * who may see it (the rule of GET /api/actors/{id}), and reads inside the caller's
 * transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExtension, type ExtensionMembers, membersRef, orm } from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { addMember, type Member } from '../helpers/work-graph.ts';

let members: ExtensionMembers;
const probe = defineExtension({
  manifest: {
    id: 'members-probe',
    version: '1.0.0',
    kernel: '^1.0.0',
    enablement: 'opt-in',
    description: 'Hands its members service to the test',
  },
  deps: { members: membersRef },
  setup({ deps }) {
    members = deps.members;
    return {};
  },
});

let t: TestKernel;
let owner: Member;
let viewer: Member;
let agentId: string;
let stranger: Member;

beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(probe)] });
  owner = await t.signup('Owner');
  viewer = await addMember(t, owner, 'viewer', 'Viewer');
  stranger = await t.signup('Stranger');
  const agent = await t.call('POST', '/api/actors/agents', {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name: 'Bot', role: 'member' },
  });
  agentId = agent.body.id;
});
afterAll(() => t?.close());

describe('membersRef', () => {
  it('reads a role, and undefined for a non-member or a malformed id', async () => {
    expect(await members.roleOf(owner.workspaceId, owner.actorId)).toBe('owner');
    expect(await members.roleOf(owner.workspaceId, viewer.actorId)).toBe('viewer');
    expect(await members.roleOf(owner.workspaceId, stranger.actorId)).toBeUndefined();
    expect(await members.roleOf(owner.workspaceId, 'not-a-uuid')).toBeUndefined();
  });

  it('lists members in keyset pages that together hold every member once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await members.listMembers(owner.workspaceId, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.actor_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual([owner.actorId, viewer.actorId, agentId].sort());
    const first = await members.listMembers(owner.workspaceId, { limit: 50 });
    expect(first.items.find((m) => m.actor_id === agentId)).toMatchObject({
      role: 'member',
      actor: { type: 'agent', name: 'Bot' },
    });
  });

  it('tells which ids are members, ignoring strangers and junk', async () => {
    const found = await members.membersAmong(owner.workspaceId, [
      viewer.actorId,
      stranger.actorId,
      'junk',
      agentId,
    ]);
    expect([...found].sort()).toEqual([viewer.actorId, agentId].sort());
  });

  it('gives emails only to a viewer who shares a workspace (or is the actor)', async () => {
    const ids = [owner.actorId, viewer.actorId, stranger.actorId];
    const anonymous = await members.getActors(ids);
    expect(anonymous).toHaveLength(3);
    for (const actor of anonymous) expect(actor).not.toHaveProperty('email');

    const byViewer = new Map(
      (await members.getActors(ids, { viewerId: viewer.actorId })).map((a) => [a.id, a]),
    );
    expect(byViewer.get(owner.actorId)?.email).toMatch(/@example\.com$/);
    expect(byViewer.get(viewer.actorId)?.email).toMatch(/@example\.com$/);
    expect(byViewer.get(stranger.actorId)).not.toHaveProperty('email');
    expect(byViewer.get(stranger.actorId)?.name).toBe('Stranger');

    // The same rule as the HTTP route.
    const http = await t.call('GET', `/api/actors/${owner.actorId}`, { key: stranger.key });
    expect(http.status).toBe(404);
  });

  it('reads inside the caller transaction (sees its uncommitted membership change)', async () => {
    const db = t.kernel.services.database.db;
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(
          orm.sql`delete from workspace_members where workspace_id = ${owner.workspaceId} and actor_id = ${viewer.actorId}`,
        );
        expect(await members.roleOf(owner.workspaceId, viewer.actorId, tx)).toBeUndefined();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await members.roleOf(owner.workspaceId, viewer.actorId)).toBe('viewer');
  });
});
