/**
 * comments on a real kernel: threads, edit/delete rules, @mentions that notify
 * members and wake mentioned agents (through the test waker), mentions of actors of
 * another workspace refused with nothing stored, and the object's subscribers told
 * of the comment (except its author and those it mentions).
 */
import { eventsOf, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../helpers/work-graph.ts';
import { addAgent, fanoutCaughtUp, notificationKernel } from './kernel.ts';
import { wakes } from './wake-recorder/index.ts';

let t: TestKernel;
let owner: Member;
let writer: Member;
let reader: Member;
let agent: Member;
let outsider: Member;
let objectId: string;

const as = (member: Member, body?: unknown) => ({ key: member.key, workspace: member.workspaceId, body });
const mention = (name: string, member: Member) => `@[${name}](${member.actorId})`;

async function comment(member: Member, body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/comments', as(member, body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const inbox = async (member: Member) =>
  (await t.call('GET', '/api/notifications?limit=200', as(member))).body.items as {
    title: string;
    metadata: Record<string, any>;
    object_id: string;
    source_actor_id: string;
  }[];

beforeAll(async () => {
  t = await notificationKernel();
  const signup = await t.signup('Owner');
  owner = { key: signup.key, actorId: signup.actorId, workspaceId: signup.workspaceId };
  writer = await addMember(t, owner, 'member', 'Writer');
  reader = await addMember(t, owner, 'viewer', 'Reader');
  agent = await addAgent(t, owner, 'Researcher');
  const other = await t.signup('Outsider');
  outsider = { key: other.key, actorId: other.actorId, workspaceId: other.workspaceId };
  const created = await t.call(
    'POST',
    '/api/objects',
    as(owner, { type: 'bet', title: 'Usage-based pricing' }),
  );
  objectId = created.body.id;
});

afterAll(() => t?.close());

describe('comments', () => {
  it('threads: replies on the same object, listed oldest first in pages', async () => {
    const root = await comment(writer, { object_id: objectId, body: 'Root' });
    const reply = await comment(owner, { object_id: objectId, body: 'Reply', parent_id: root.id });
    expect(reply.parent_id).toBe(root.id);
    const other = await t.call('POST', '/api/objects', as(owner, { type: 'task', title: 'Elsewhere' }));
    const crossed = await t.call(
      'POST',
      '/api/comments',
      as(owner, { object_id: other.body.id, body: 'x', parent_id: root.id }),
    );
    expect(crossed.status).toBe(400);

    const first = await t.call('GET', `/api/comments?object_id=${objectId}&limit=1`, as(reader));
    expect(first.body.items.map((item: { body: string }) => item.body)).toEqual(['Root']);
    const second = await t.call(
      'GET',
      `/api/comments?object_id=${objectId}&limit=1&cursor=${first.body.next_cursor}`,
      as(reader),
    );
    expect(second.body.items.map((item: { body: string }) => item.body)).toEqual(['Reply']);
    const thread = await t.call(
      'GET',
      `/api/comments?object_id=${objectId}&parent_id=${root.id}`,
      as(reader),
    );
    expect(thread.body.items).toHaveLength(1);

    // A viewer reads but cannot write; a missing object is 404.
    expect(
      (await t.call('POST', '/api/comments', as(reader, { object_id: objectId, body: 'x' }))).status,
    ).toBe(403);
    expect(
      (await t.call('POST', '/api/comments', as(writer, { object_id: crypto.randomUUID(), body: 'x' })))
        .status,
    ).toBe(404);
  });

  it('edit and delete: only the author edits; the author or an admin deletes; tombstones keep threads', async () => {
    const mine = await comment(writer, { object_id: objectId, body: 'Draft' });
    expect((await t.call('PATCH', `/api/comments/${mine.id}`, as(owner, { body: 'Hijack' }))).status).toBe(
      403,
    );
    const edited = await t.call('PATCH', `/api/comments/${mine.id}`, as(writer, { body: 'Final' }));
    expect(edited.body).toMatchObject({ body: 'Final', edited_at: expect.any(String) });
    const theirs = await comment(owner, { object_id: objectId, body: 'Owner says' });
    expect((await t.call('DELETE', `/api/comments/${theirs.id}`, as(writer))).status).toBe(403);
    expect((await t.call('DELETE', `/api/comments/${mine.id}`, as(owner))).status).toBe(204); // admin
    expect((await t.call('DELETE', `/api/comments/${mine.id}`, as(owner))).status).toBe(404);
    const gone = await t.call('GET', `/api/comments/${mine.id}`, as(reader));
    expect(gone.body).toMatchObject({ deleted: true, body: '' });
    const events = await eventsOf(t, owner.workspaceId, ['comment']);
    expect(events.filter((e) => e.entity_id === mine.id).map((e) => e.type)).toEqual([
      'comment.created',
      'comment.updated',
      'comment.deleted',
    ]);
  });

  it('a mention notifies the member and wakes a mentioned agent; editing in a mention notifies only the new one', async () => {
    const body = `${mention('Reader', reader)} and ${mention('Researcher', agent)}: what do you think?`;
    const created = await comment(writer, { object_id: objectId, body });
    expect(created.mentions.sort()).toEqual([reader.actorId, agent.actorId].sort());

    const readerInbox = (await inbox(reader)).filter((n) => n.metadata.comment_id === created.id);
    expect(readerInbox).toHaveLength(1);
    expect(readerInbox[0]).toMatchObject({ object_id: objectId, source_actor_id: writer.actorId });
    expect((await inbox(agent)).filter((n) => n.metadata.comment_id === created.id)).toHaveLength(1);

    const woken = (await t.kernel.services.database.db.select().from(wakes)).filter(
      (w) => (w.reason as any).commentId === created.id,
    );
    expect(woken).toHaveLength(1);
    expect(woken[0]).toMatchObject({ agentId: agent.actorId, wokenBy: writer.actorId, sessionId: null });
    expect(woken[0]!.prompt).toContain('what do you think?');

    await t.call(
      'PATCH',
      `/api/comments/${created.id}`,
      as(writer, { body: `${body} cc ${mention('Owner', owner)}` }),
    );
    expect((await inbox(owner)).filter((n) => n.metadata.comment_id === created.id)).toHaveLength(1);
    expect((await inbox(reader)).filter((n) => n.metadata.comment_id === created.id)).toHaveLength(1);
    const wokenAgain = (await t.kernel.services.database.db.select().from(wakes)).filter(
      (w) => (w.reason as any).commentId === created.id,
    );
    expect(wokenAgain).toHaveLength(1);
  });

  it('refuses a mention of an actor of another workspace, storing nothing', async () => {
    const before = await t.call('GET', `/api/comments?object_id=${objectId}&limit=200`, as(owner));
    const res = await t.call(
      'POST',
      '/api/comments',
      as(writer, { object_id: objectId, body: `Hey ${mention('Outsider', outsider)}` }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'body' });
    expect(res.body.error.message).toContain(outsider.actorId);
    const after = await t.call('GET', `/api/comments?object_id=${objectId}&limit=200`, as(owner));
    expect(after.body.items).toHaveLength(before.body.items.length);
    expect(await inbox(outsider)).toEqual([]);
    // Nor can an existing comment be edited into one.
    const mine = await comment(writer, { object_id: objectId, body: 'Fine' });
    const edit = await t.call(
      'PATCH',
      `/api/comments/${mine.id}`,
      as(writer, { body: mention('Outsider', outsider) }),
    );
    expect(edit.status).toBe(400);
  });

  it("the object's subscribers hear of a comment, except its author and those it mentions", async () => {
    const created = await t.call('POST', '/api/objects', as(owner, { type: 'task', title: 'Price page' }));
    const task = created.body.id;
    await fanoutCaughtUp(t, owner.workspaceId); // the owner is now subscribed as its creator
    await t.call('POST', '/api/subscriptions', as(reader, { object_id: task }));
    await t.call('POST', '/api/subscriptions', as(writer, { object_id: task }));
    const said = await comment(writer, { object_id: task, body: `Done? ${mention('Reader', reader)}` });
    await fanoutCaughtUp(t, owner.workspaceId);
    const ownerHeard = (await inbox(owner)).filter(
      (n) => n.metadata.event_type === 'comment.created' && n.object_id === task,
    );
    expect(ownerHeard).toHaveLength(1);
    expect(ownerHeard[0]!.object_id).toBe(task);
    expect((await inbox(writer)).filter((n) => n.metadata.event_type === 'comment.created')).toEqual([]);
    const readerHeard = (await inbox(reader)).filter((n) => n.object_id === task);
    expect(readerHeard.map((n) => n.metadata.via)).toEqual(['mention']);
    expect(readerHeard[0]!.metadata.comment_id).toBe(said.id);
  });
});
