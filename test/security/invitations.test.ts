/**
 * Finding 4 (issue 10): nobody is made a member of someone else's workspace without
 * consent, and inviting is not an email oracle. People join by invitation (by email,
 * with a role, expiring), seen and answered by the invitee over HTTP and MCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { callTool, connectMcp } from '../mcp/mcp-clients.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [] });
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<TestKernel['signup']>>;
const invite = (by: User, ws: string, email: string, role = 'member', extra: Record<string, unknown> = {}) =>
  t.call('POST', `/api/workspaces/${ws}/invitations`, { key: by.key, body: { email, role, ...extra } });
const mine = (user: User) => t.call('GET', '/api/actors/me/invitations', { key: user.key });
const answer = (user: User, id: string, verb: 'accept' | 'decline') =>
  t.call('POST', `/api/actors/me/invitations/${id}/${verb}`, { key: user.key });
const workspacesOf = async (user: User) =>
  (await t.call('GET', '/api/workspaces', { key: user.key })).body.items.map((w: { id: string }) => w.id);

describe('forced membership', () => {
  it('a person cannot be added directly, by email or by id, even as owner', async () => {
    const attacker = await t.signup('Attacker');
    const victim = await t.signup('Victim');
    const byEmail = await t.call('POST', `/api/workspaces/${attacker.workspaceId}/members`, {
      key: attacker.key,
      body: { email: victim.email, role: 'owner' },
    });
    expect(byEmail.status).toBe(400);
    const byId = await t.call('POST', `/api/workspaces/${attacker.workspaceId}/members`, {
      key: attacker.key,
      body: { actor_id: victim.actorId, role: 'owner' },
    });
    expect(byId.status).toBe(404);
    expect(await workspacesOf(victim)).toEqual([victim.workspaceId]);
  });
});

describe('no email oracle', () => {
  it('inviting an address with an account and one without answer alike', async () => {
    const admin = await t.signup('Inviter');
    const existing = await t.signup('Existing');
    const a = await invite(admin, admin.workspaceId, existing.email);
    const b = await invite(admin, admin.workspaceId, `nobody-${Date.now()}@example.com`);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    const shape = (body: Record<string, unknown>) => ({
      ...body,
      id: 'x',
      email: 'x',
      created_at: 'x',
      expires_at: 'x',
    });
    expect(shape(a.body)).toEqual(shape(b.body));
    // Inviting someone who is already a member answers alike too.
    const self = await invite(admin, admin.workspaceId, admin.email);
    expect(self.status).toBe(201);
    expect(shape(self.body)).toEqual(shape(a.body));
  });
});

describe('answering', () => {
  it('the invitee sees it, accepts it and joins with its role; nobody else can answer it', async () => {
    const owner = await t.signup('Host');
    const guest = await t.signup('Guest');
    const other = await t.signup('Other');
    const sent = await invite(owner, owner.workspaceId, guest.email.toUpperCase(), 'viewer');
    expect(sent.body).toMatchObject({ status: 'pending', role: 'viewer', workspace_id: owner.workspaceId });

    const listed = await mine(guest);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: sent.body.id, workspace_name: expect.any(String), role: 'viewer' }),
    ]);
    expect((await mine(other)).body.items).toEqual([]);
    expect((await answer(other, sent.body.id, 'accept')).status).toBe(404);
    expect(await workspacesOf(other)).not.toContain(owner.workspaceId);

    const accepted = await answer(guest, sent.body.id, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body.invitation.status).toBe('accepted');
    expect(accepted.body.member).toMatchObject({ actor_id: guest.actorId, role: 'viewer' });
    const ws = await t.call('GET', `/api/workspaces/${owner.workspaceId}`, { key: guest.key });
    expect(ws.body.role).toBe('viewer');
    expect((await answer(guest, sent.body.id, 'accept')).status).toBe(404);
    expect((await mine(guest)).body.items).toEqual([]);
    const admins = await t.call('GET', `/api/workspaces/${owner.workspaceId}/invitations`, {
      key: owner.key,
    });
    expect(admins.body.items[0]).toMatchObject({ id: sent.body.id, status: 'accepted' });
  });

  it('a declined, revoked or expired invitation cannot be accepted', async () => {
    const owner = await t.signup('Host2');
    const guest = await t.signup('Guest2');
    const declined = await invite(owner, owner.workspaceId, guest.email);
    expect((await answer(guest, declined.body.id, 'decline')).body.invitation.status).toBe('declined');
    expect((await answer(guest, declined.body.id, 'accept')).status).toBe(404);

    const revoked = await invite(owner, owner.workspaceId, guest.email);
    const revoke = await t.call(
      'DELETE',
      `/api/workspaces/${owner.workspaceId}/invitations/${revoked.body.id}`,
      {
        key: owner.key,
      },
    );
    expect(revoke.body.status).toBe('revoked');
    expect((await answer(guest, revoked.body.id, 'accept')).status).toBe(404);

    const expiring = await invite(owner, owner.workspaceId, guest.email, 'member', { expires_in_hours: 1 });
    // Time passes: move the expiry into the past (deterministic, no waiting).
    await t.testDatabase.database.query(
      "update workspace_invitations set expires_at = now() - interval '1 second' where id = $1",
      [expiring.body.id],
    );
    expect((await mine(guest)).body.items).toEqual([]);
    expect((await answer(guest, expiring.body.id, 'accept')).status).toBe(404);
    const admins = await t.call('GET', `/api/workspaces/${owner.workspaceId}/invitations`, {
      key: owner.key,
    });
    expect(admins.body.items.find((i: { id: string }) => i.id === expiring.body.id).status).toBe('expired');
    expect(await workspacesOf(guest)).toEqual([guest.workspaceId]);
  });

  it('only admins invite, and only owners invite owners', async () => {
    const owner = await t.signup('Host3');
    const member = await t.signup('Plain member');
    const sent = await invite(owner, owner.workspaceId, member.email, 'member');
    await answer(member, sent.body.id, 'accept');
    expect((await invite(member, owner.workspaceId, 'x@example.com')).status).toBe(403);
    expect((await invite(owner, owner.workspaceId, 'co-owner@example.com', 'owner')).status).toBe(201);
    expect(
      (await invite(owner, owner.workspaceId, 'x@example.com', 'member', { expires_in_hours: 0 })).status,
    ).toBe(400);
  });

  it('works over MCP: list and accept', async () => {
    const owner = await t.signup('Host4');
    const guest = await t.signup('Mcp guest');
    const sent = await invite(owner, owner.workspaceId, guest.email, 'member');
    const inProcess = (url: string | URL, init?: RequestInit) =>
      Promise.resolve(t.kernel.app.request(url, init));
    const client = await connectMcp(
      'http://maskin.test',
      { key: guest.key, workspace: guest.workspaceId },
      inProcess,
    );
    try {
      const listed = await callTool(client, 'list_my_invitations');
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([sent.body.id]);
      const accepted = await callTool(client, 'accept_invitation', { invitation_id: sent.body.id });
      expect(accepted.isError).toBe(false);
      expect(accepted.body.member.role).toBe('member');
    } finally {
      await client.close();
    }
    expect(await workspacesOf(guest)).toContain(owner.workspaceId);
  });
});
