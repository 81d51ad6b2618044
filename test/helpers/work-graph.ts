/** Small helpers shared by the tests of the objects, relationships and graph extensions. */
import type { TestKernel } from './test-kernel.ts';

export interface Member {
  key: string;
  actorId: string;
  workspaceId: string;
}

/** Call options for a member acting in their own workspace. */
export const as = (member: Member, extra: { body?: unknown; headers?: Record<string, string> } = {}) => ({
  key: member.key,
  workspace: member.workspaceId,
  ...extra,
});

/** The events a workspace recorded for some entity types, oldest first (read from the table itself). */
export async function eventsOf(t: TestKernel, workspaceId: string, entityTypes: string[]) {
  return t.kernel.services.database.query<{
    id: string;
    type: string;
    entity_type: string;
    entity_id: string;
    actor_id: string;
    data: Record<string, any>;
  }>(
    'select id, type, entity_type, entity_id, actor_id, data from events where workspace_id = $1 and entity_type = any($2::text[]) order by id',
    [workspaceId, entityTypes],
  );
}

/**
 * Makes `invitee` a member of workspace `workspaceId` the only way a person joins one:
 * `inviterKey` (an admin there) invites their email, and they accept.
 */
export async function inviteAndAccept(
  t: TestKernel,
  inviterKey: string,
  workspaceId: string,
  invitee: { key: string; email: string },
  role: 'owner' | 'admin' | 'member' | 'viewer',
): Promise<void> {
  const invited = await t.call('POST', `/api/workspaces/${workspaceId}/invitations`, {
    key: inviterKey,
    body: { email: invitee.email, role },
  });
  if (invited.status !== 201)
    throw new Error(`invitation failed: ${invited.status} ${JSON.stringify(invited.body)}`);
  const accepted = await t.call('POST', `/api/actors/me/invitations/${invited.body.id}/accept`, {
    key: invitee.key,
  });
  if (accepted.status !== 200)
    throw new Error(`accepting failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
}

/** Adds a new person to `owner`'s workspace with a role (invited, and accepting); returns the new member. */
export async function addMember(
  t: TestKernel,
  owner: Member,
  role: 'admin' | 'member' | 'viewer',
  name = 'Colleague',
): Promise<Member> {
  const other = await t.signup(name);
  await inviteAndAccept(t, owner.key, owner.workspaceId, other, role);
  return { key: other.key, actorId: other.actorId, workspaceId: owner.workspaceId };
}

/** Replaces the objects settings of a workspace (as its owner). */
export async function setObjectsSettings(t: TestKernel, owner: Member, settings: Record<string, unknown>) {
  await setExtensionSettings(t, owner, 'objects', settings);
}

export async function setExtensionSettings(
  t: TestKernel,
  owner: Member,
  extensionId: string,
  settings: Record<string, unknown>,
) {
  const result = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/${extensionId}`, {
    key: owner.key,
    body: { settings },
  });
  if (result.status !== 200)
    throw new Error(`settings failed: ${result.status} ${JSON.stringify(result.body)}`);
}

/**
 * Disables `extensionId` in the owner's workspace after every installed extension that
 * requires it, directly or not (dependents first), so a test does not hard-code today's
 * list of extensions. Returns the ids it disabled, the extension itself last.
 */
export async function disableWithDependents(t: TestKernel, owner: Member, extensionId: string) {
  const catalog = await t.call('GET', '/api/extensions', { key: owner.key });
  const requires = new Map<string, string[]>(
    (catalog.body.items as { id: string; requires: string[] }[]).map((e) => [e.id, e.requires]),
  );
  const order: string[] = [];
  const visit = (id: string) => {
    for (const [dependent, needs] of requires) {
      if (needs.includes(id) && !order.includes(dependent)) visit(dependent);
    }
    if (!order.includes(id)) order.push(id);
  };
  visit(extensionId);
  for (const id of order) {
    const result = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/${id}`, {
      key: owner.key,
      body: { enabled: false },
    });
    if (result.status !== 200)
      throw new Error(`disable ${id}: ${result.status} ${JSON.stringify(result.body)}`);
  }
  return order;
}
