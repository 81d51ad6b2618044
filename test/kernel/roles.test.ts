/**
 * Workspace membership and roles: non-members learn nothing (404), the role matrix
 * (viewer < member < admin < owner), the owner rules, agents, actor visibility, and
 * signup's duplicate-email rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<TestKernel['signup']>>;

/** A workspace owned by `owner` with one user of each lesser role. */
async function team() {
  const owner = await t.signup('Owner');
  const admin = await t.signup('Admin');
  const member = await t.signup('Member');
  const viewer = await t.signup('Viewer');
  const stranger = await t.signup('Stranger');
  const ws = owner.workspaceId;
  for (const [user, role] of [
    [admin, 'admin'],
    [member, 'member'],
    [viewer, 'viewer'],
  ] as const) {
    await inviteAndAccept(t, owner.key, ws, user, role);
  }
  return { ws, owner, admin, member, viewer, stranger };
}

const getWorkspace = (user: User, ws: string) => t.call('GET', `/api/workspaces/${ws}`, { key: user.key });
const patchWorkspace = (user: User, ws: string, name = 'Renamed') =>
  t.call('PATCH', `/api/workspaces/${ws}`, { key: user.key, body: { name } });
const addMember = (user: User, ws: string, body: Record<string, unknown>) =>
  t.call('POST', `/api/workspaces/${ws}/members`, { key: user.key, body });
const changeRole = (user: User, ws: string, actorId: string, role: string) =>
  t.call('PATCH', `/api/workspaces/${ws}/members/${actorId}`, { key: user.key, body: { role } });
const removeMember = (user: User, ws: string, actorId: string) =>
  t.call('DELETE', `/api/workspaces/${ws}/members/${actorId}`, { key: user.key });
const createAgent = (user: User, ws: string, body: Record<string, unknown> = { name: 'Bot' }) =>
  t.call('POST', '/api/actors/agents', { key: user.key, workspace: ws, body });

function expectError(result: { status: number; body: any }, status: number, code: string) {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.body.error.code).toBe(code);
}

describe('non-members', () => {
  it('get 404 on workspace routes by path parameter, as for a workspace that does not exist', async () => {
    const { ws, stranger } = await team();
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [ws, missing, 'not-a-uuid']) {
      expectError(await getWorkspace(stranger, id), 404, 'NOT_FOUND');
      expectError(await patchWorkspace(stranger, id), 404, 'NOT_FOUND');
      expectError(await t.call('DELETE', `/api/workspaces/${id}`, { key: stranger.key }), 404, 'NOT_FOUND');
      expectError(
        await t.call('GET', `/api/workspaces/${id}/members`, { key: stranger.key }),
        404,
        'NOT_FOUND',
      );
      expectError(
        await addMember(stranger, id, { actor_id: stranger.actorId, role: 'owner' }),
        404,
        'NOT_FOUND',
      );
    }
    // Same message whether or not the workspace exists.
    const real = await getWorkspace(stranger, ws);
    const fake = await getWorkspace(stranger, missing);
    expect(real.body).toEqual(fake.body);
  });

  it('get 404 on workspace routes by X-Workspace-Id header', async () => {
    const { ws, stranger } = await team();
    expectError(await createAgent(stranger, ws), 404, 'NOT_FOUND');
    expectError(await createAgent(stranger, 'garbage'), 404, 'NOT_FOUND');
  });

  it('a header-scoped route without X-Workspace-Id is a 400 naming the header', async () => {
    const { owner } = await team();
    const result = await t.call('POST', '/api/actors/agents', { key: owner.key, body: { name: 'Bot' } });
    expectError(result, 400, 'VALIDATION_ERROR');
    expect(result.body.error.details).toEqual([{ path: 'X-Workspace-Id', message: 'required' }]);
  });

  it('do not see the workspace in their list', async () => {
    const { ws, stranger, viewer } = await team();
    const strangerList = await t.call('GET', '/api/workspaces', { key: stranger.key });
    expect(strangerList.body.items.map((w: any) => w.id)).not.toContain(ws);
    const viewerList = await t.call('GET', '/api/workspaces', { key: viewer.key });
    expect(viewerList.body.items.find((w: any) => w.id === ws)).toMatchObject({ role: 'viewer' });
  });
});

describe('role matrix', () => {
  it('viewer reads but cannot write', async () => {
    const { ws, viewer, stranger } = await team();
    expect((await getWorkspace(viewer, ws)).body.role).toBe('viewer');
    expect((await t.call('GET', `/api/workspaces/${ws}/members`, { key: viewer.key })).status).toBe(200);
    expectError(await patchWorkspace(viewer, ws), 403, 'FORBIDDEN');
    expectError(
      await addMember(viewer, ws, { actor_id: stranger.actorId, role: 'viewer' }),
      403,
      'FORBIDDEN',
    );
    expectError(await createAgent(viewer, ws), 403, 'FORBIDDEN');
    expectError(await t.call('DELETE', `/api/workspaces/${ws}`, { key: viewer.key }), 403, 'FORBIDDEN');
  });

  it('member cannot manage members, agents or settings', async () => {
    const { ws, member, viewer, stranger } = await team();
    expectError(
      await addMember(member, ws, { actor_id: stranger.actorId, role: 'viewer' }),
      403,
      'FORBIDDEN',
    );
    expectError(await changeRole(member, ws, viewer.actorId, 'member'), 403, 'FORBIDDEN');
    expectError(await removeMember(member, ws, viewer.actorId), 403, 'FORBIDDEN');
    expectError(await createAgent(member, ws), 403, 'FORBIDDEN');
    expectError(await patchWorkspace(member, ws), 403, 'FORBIDDEN');
    // Nothing changed.
    const members = await t.call('GET', `/api/workspaces/${ws}/members`, { key: member.key });
    expect(members.body.items).toHaveLength(4);
  });

  it('admin manages members and settings but cannot delete the workspace or touch owners', async () => {
    const { ws, owner, admin, viewer, stranger } = await team();
    const patched = await patchWorkspace(admin, ws, 'Admin named it');
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('Admin named it');
    const invited = await t.call('POST', `/api/workspaces/${ws}/invitations`, {
      key: admin.key,
      body: { email: stranger.email.toUpperCase(), role: 'viewer' },
    });
    expect(invited.status).toBe(201);
    const accepted = await t.call('POST', `/api/actors/me/invitations/${invited.body.id}/accept`, {
      key: stranger.key,
    });
    expect(accepted.status).toBe(200);
    expect((await changeRole(admin, ws, viewer.actorId, 'member')).body.role).toBe('member');
    expect((await removeMember(admin, ws, stranger.actorId)).status).toBe(204);

    expectError(await t.call('DELETE', `/api/workspaces/${ws}`, { key: admin.key }), 403, 'FORBIDDEN');
    expectError(await addMember(admin, ws, { actor_id: stranger.actorId, role: 'owner' }), 403, 'FORBIDDEN');
    expectError(
      await t.call('POST', `/api/workspaces/${ws}/invitations`, {
        key: admin.key,
        body: { email: stranger.email, role: 'owner' },
      }),
      403,
      'FORBIDDEN',
    );
    expectError(await changeRole(admin, ws, viewer.actorId, 'owner'), 403, 'FORBIDDEN');
    expectError(await changeRole(admin, ws, admin.actorId, 'owner'), 403, 'FORBIDDEN');
    expectError(await changeRole(admin, ws, owner.actorId, 'admin'), 403, 'FORBIDDEN');
    expectError(await removeMember(admin, ws, owner.actorId), 403, 'FORBIDDEN');
    expect((await getWorkspace(owner, ws)).body.role).toBe('owner');
  });

  it('a person cannot be added directly (404, as for an unknown id); email is not a field', async () => {
    const { ws, owner, viewer, stranger } = await team();
    const person = await addMember(owner, ws, { actor_id: stranger.actorId, role: 'viewer' });
    expectError(person, 404, 'NOT_FOUND');
    expect(person.body.error.message).toMatch(/invitation/);
    expectError(await addMember(owner, ws, { actor_id: viewer.actorId, role: 'admin' }), 404, 'NOT_FOUND');
    expectError(
      await addMember(owner, ws, { actor_id: '00000000-0000-4000-8000-000000000000', role: 'viewer' }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await addMember(owner, ws, { email: 'nobody@example.com', role: 'viewer' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await addMember(owner, ws, { actor_id: viewer.actorId, email: viewer.email, role: 'viewer' }),
      400,
      'VALIDATION_ERROR',
    );
  });
});

describe('owners', () => {
  it('the last owner cannot be removed or demoted (409); with a second owner they can', async () => {
    const { ws, owner, admin } = await team();
    expectError(await changeRole(owner, ws, owner.actorId, 'admin'), 409, 'CONFLICT');
    expectError(await removeMember(owner, ws, owner.actorId), 409, 'CONFLICT');

    expect((await changeRole(owner, ws, admin.actorId, 'owner')).body.role).toBe('owner');
    // The new owner demotes the original one, who then cannot take it back.
    expect((await changeRole(admin, ws, owner.actorId, 'admin')).body.role).toBe('admin');
    expectError(await changeRole(owner, ws, owner.actorId, 'owner'), 403, 'FORBIDDEN');
    expectError(await changeRole(admin, ws, admin.actorId, 'member'), 409, 'CONFLICT');
    expectError(await removeMember(admin, ws, admin.actorId), 409, 'CONFLICT');
  });

  it('an owner may add another owner and remove an owner who is not the last', async () => {
    const { ws, owner, member } = await team();
    expect((await changeRole(owner, ws, member.actorId, 'owner')).status).toBe(200);
    expect((await removeMember(owner, ws, member.actorId)).status).toBe(204);
    expectError(await getWorkspace(member, ws), 404, 'NOT_FOUND');
  });

  it('only an owner deletes the workspace; afterwards it is gone for everyone', async () => {
    const { ws, owner, admin } = await team();
    const deleted = await t.call('DELETE', `/api/workspaces/${ws}`, { key: owner.key });
    expect(deleted.status).toBe(204);
    expectError(await getWorkspace(owner, ws), 404, 'NOT_FOUND');
    expectError(await getWorkspace(admin, ws), 404, 'NOT_FOUND');
  });

  it('creating a workspace makes the caller its owner', async () => {
    const user = await t.signup('Creator');
    const created = await t.call('POST', '/api/workspaces', { key: user.key, body: { name: 'Second' } });
    expect(created.status).toBe(201);
    expect(created.body.role).toBe('owner');
    expect((await getWorkspace(user, created.body.id)).body.role).toBe('owner');
  });
});

describe('agents', () => {
  it('an agent created by an admin is a member of the workspace with the given role', async () => {
    const { ws, admin, owner } = await team();
    const agent = await createAgent(admin, ws, { name: 'Scout' });
    expect(agent.status).toBe(201);
    expect(agent.body).toMatchObject({
      type: 'agent',
      name: 'Scout',
      email: null,
      created_by: admin.actorId,
    });
    const viewerAgent = await createAgent(admin, ws, { name: 'Reader', role: 'viewer' });
    const members = await t.call('GET', `/api/workspaces/${ws}/members?limit=200`, { key: owner.key });
    const roleOf = (id: string) => members.body.items.find((m: any) => m.actor_id === id)?.role;
    expect(roleOf(agent.body.id)).toBe('member');
    expect(roleOf(viewerAgent.body.id)).toBe('viewer');

    // The agent works in the workspace with its own key.
    const key = await t.call('POST', `/api/actors/${agent.body.id}/api-keys`, {
      key: admin.key,
      body: { name: 'scout' },
    });
    const asAgent = await t.call('GET', `/api/workspaces/${ws}`, { key: key.body.key });
    expect(asAgent.body.role).toBe('member');
  });

  it('an agent cannot be created as owner', async () => {
    const { ws, owner } = await team();
    expectError(await createAgent(owner, ws, { name: 'Boss', role: 'owner' }), 400, 'VALIDATION_ERROR');
  });
});

describe('actor visibility', () => {
  it('an actor is visible to itself and co-members, and 404 to everyone else', async () => {
    const { ws, owner, viewer, stranger } = await team();
    const get = (user: User, id: string) => t.call('GET', `/api/actors/${id}`, { key: user.key });
    expect((await get(viewer, owner.actorId)).body).toMatchObject({ id: owner.actorId, type: 'human' });
    expect((await get(owner, viewer.actorId)).status).toBe(200);
    expect((await get(stranger, stranger.actorId)).status).toBe(200);
    expectError(await get(stranger, owner.actorId), 404, 'NOT_FOUND');
    expectError(await get(owner, stranger.actorId), 404, 'NOT_FOUND');
    expectError(await get(owner, '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');

    // Leaving the workspace ends the visibility.
    expect((await removeMember(owner, ws, viewer.actorId)).status).toBe(204);
    expectError(await get(viewer, owner.actorId), 404, 'NOT_FOUND');
  });

  it('no actor response carries a secret', async () => {
    const user = await t.signup('Secretive');
    const self = await t.call('GET', '/api/actors/me', { key: user.key });
    expect(JSON.stringify(self.body)).not.toContain('ank_');
    expect(Object.keys(self.body).sort()).toEqual(
      ['created_at', 'created_by', 'email', 'id', 'name', 'type', 'updated_at'].sort(),
    );
  });
});

describe('signup', () => {
  it('creates an actor, a personal workspace they own and a working key', async () => {
    const result = await t.call('POST', '/api/actors/signup', {
      body: { name: 'New person', email: 'new-person@example.com', workspace_name: 'Lab' },
    });
    expect(result.status).toBe(201);
    expect(result.body.actor).toMatchObject({ type: 'human', email: 'new-person@example.com' });
    expect(result.body.workspace).toMatchObject({ name: 'Lab', role: 'owner' });
    const me = await t.call('GET', '/api/actors/me', { key: result.body.api_key.key });
    expect(me.body.id).toBe(result.body.actor.id);
  });

  it('a duplicate email is a 409, whatever its case, and creates nothing', async () => {
    const user = await t.signup('Dupe');
    const countActors = async () =>
      Number((await t.testDatabase.database.query<{ n: string }>('select count(*) as n from actors'))[0]!.n);
    const before = await countActors();
    for (const email of [user.email, user.email.toUpperCase(), ` ${user.email} `]) {
      const again = await t.call('POST', '/api/actors/signup', { body: { name: 'Dupe again', email } });
      expectError(again, 409, 'CONFLICT');
    }
    expect(await countActors()).toBe(before);
  });
});
