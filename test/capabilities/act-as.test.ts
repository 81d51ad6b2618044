/**
 * actAsRef runs a route as an actor through the HTTP pipeline: the route's role
 * applies (a viewer cannot write), the enablement gate applies, non-members and other
 * workspaces get the non-member 404, actor-level routes refuse it, the calling
 * extension must be enabled, and the event the handler records carries the acted-as
 * actor.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import objects from '../../core-extensions/objects/index.ts';
import { actAsRef, defineExtension, type ExtensionActAs } from '../../kernel/contract/index.ts';
import { installed, tinyExtension } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { addMember, eventsOf, type Member } from '../helpers/work-graph.ts';

const actAs = new Map<string, ExtensionActAs>();
const probe = (id: string, enablement: 'default-on' | 'opt-in') =>
  defineExtension({
    manifest: { id, version: '1.0.0', kernel: '^1.0.0', enablement, description: 'Acts as members' },
    deps: { actAs: actAsRef },
    setup({ deps }) {
      actAs.set(id, deps.actAs);
      return {};
    },
  });

const logLines: string[] = [];
let t: TestKernel;
let owner: Member;
let viewer: Member;
let member: Member;
let stranger: Member;

beforeAll(async () => {
  t = await createTestKernel({
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    extensions: [
      installed(objects, { tier: 'core' }),
      installed(probe('trigger', 'default-on')),
      installed(probe('sleeper', 'opt-in')),
      installed(tinyExtension({ id: 'tiny', enablement: 'opt-in' })),
    ],
  });
  owner = await t.signup('Owner');
  viewer = await addMember(t, owner, 'viewer', 'Viewer');
  member = await addMember(t, owner, 'member', 'Member');
  stranger = await t.signup('Stranger');
});
afterAll(() => t?.close());

const trigger = () => actAs.get('trigger')!;
const createTask = (actorId: string, workspaceId = owner.workspaceId) =>
  trigger().call({
    actorId,
    workspaceId,
    method: 'POST',
    path: '/api/objects',
    body: { type: 'task', title: 'Made by a trigger' },
  });

describe('actAsRef', () => {
  it('writes as the acted-as member, and the event records that actor', async () => {
    const created = await createTask(member.actorId);
    expect(created.status).toBe(201);
    // Logged with the calling extension, never with the body.
    const logged = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'act as');
    expect(logged.at(-1)).toMatchObject({
      extension: 'trigger',
      actor_id: member.actorId,
      method: 'POST',
      path: '/api/objects',
      status: 201,
    });
    expect(logLines.join('\n')).not.toContain('Made by a trigger');
    expect(created.body).toMatchObject({ title: 'Made by a trigger', created_by: member.actorId });
    const events = await eventsOf(t, owner.workspaceId, ['object']);
    expect(events.at(-1)).toMatchObject({
      type: 'object.created',
      entity_id: (created.body as { id: string }).id,
      actor_id: member.actorId,
    });
  });

  it('applies the route role: a viewer cannot write', async () => {
    const refused = await createTask(viewer.actorId);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const read = await trigger().call({
      actorId: viewer.actorId,
      workspaceId: owner.workspaceId,
      method: 'GET',
      path: '/api/objects?limit=5',
    });
    expect(read.status).toBe(200);
  });

  it('applies the enablement gate: a disabled extension answers EXTENSION_NOT_ENABLED', async () => {
    const gated = await trigger().call({
      actorId: owner.actorId,
      workspaceId: owner.workspaceId,
      method: 'GET',
      path: '/api/m/tiny',
    });
    expect(gated.status).toBe(404);
    expect(gated.body).toMatchObject({ error: { code: 'EXTENSION_NOT_ENABLED' } });
  });

  it('validates the body as the route does', async () => {
    const invalid = await trigger().call({
      actorId: owner.actorId,
      workspaceId: owner.workspaceId,
      method: 'POST',
      path: '/api/objects',
      body: { type: 'task' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
  });

  it('answers a non-member, an unknown actor and another workspace with the non-member 404', async () => {
    expect((await createTask(stranger.actorId)).status).toBe(404);
    expect((await createTask('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // Bound to its workspace: a path naming another one (where the actor is a member) is refused.
    const elsewhere = await trigger().call({
      actorId: stranger.actorId,
      workspaceId: owner.workspaceId,
      method: 'GET',
      path: `/api/workspaces/${stranger.workspaceId}/members`,
    });
    expect(elsewhere.status).toBe(404);
    const count = await t.kernel.services.database.query<{ n: string }>(
      "select count(*) as n from objects where workspace_id = $1 and title = 'Made by a trigger'",
      [owner.workspaceId],
    );
    expect(Number(count[0]!.n)).toBe(1);
  });

  it('runs kernel workspace routes too, but refuses actor-level routes (no API keys minted)', async () => {
    const list = await trigger().call({
      actorId: member.actorId,
      workspaceId: owner.workspaceId,
      method: 'GET',
      path: `/api/workspaces/${owner.workspaceId}/members`,
    });
    expect(list.status).toBe(200);
    const mint = await trigger().call({
      actorId: member.actorId,
      workspaceId: owner.workspaceId,
      method: 'POST',
      path: '/api/actors/me/api-keys',
      body: { name: 'stolen' },
    });
    expect(mint.status).toBe(401);
  });

  it('refuses to act in a workspace where the calling extension is not enabled', async () => {
    const result = await actAs.get('sleeper')!.call({
      actorId: owner.actorId,
      workspaceId: owner.workspaceId,
      method: 'GET',
      path: '/api/objects',
    });
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ error: { code: 'EXTENSION_NOT_ENABLED' } });
  });

  it('cannot be produced from outside: a request without a key is 401', async () => {
    const anonymous = await t.call('GET', '/api/objects', { workspace: owner.workspaceId });
    expect(anonymous.status).toBe(401);
  });
});
