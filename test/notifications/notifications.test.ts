/**
 * notifications on a real kernel (PGlite, or PostgreSQL with DATABASE_URL): asks and
 * answers (once, validated against the ask, waking the asking agent through the
 * agent-wakers point), unread tracking under concurrent marks, visibility, events.
 */
import { callTool, connectMcp, eventsOf, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../helpers/work-graph.ts';
import { addAgent, notificationKernel } from './kernel.ts';
import { REFUSED_WAKE, wakes } from './wake-recorder/index.ts';

let t: TestKernel;
let human: Member;
let colleague: Member;
let agent: Member;
let outsider: Member;

const as = (member: Member, body?: unknown) => ({ key: member.key, workspace: member.workspaceId, body });

async function notify(from: Member, body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/notifications', as(from, body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const recordedWakes = () => t.kernel.services.database.db.select().from(wakes);

beforeAll(async () => {
  t = await notificationKernel();
  const owner = await t.signup('Hanne');
  human = { key: owner.key, actorId: owner.actorId, workspaceId: owner.workspaceId };
  colleague = await addMember(t, human, 'member', 'Colleague');
  agent = await addAgent(t, human, 'Planner');
  const other = await t.signup('Outsider');
  outsider = { key: other.key, actorId: other.actorId, workspaceId: other.workspaceId };
});

afterAll(() => t?.close());

describe('asking and answering', () => {
  it('an agent asks, the human answers over HTTP, the agent is woken once with the answer and its session', async () => {
    const sessionId = '6f1c8e5e-3d1e-4a49-9a53-2f4ab0d1c001';
    // the source is always the caller: a body that names one is refused, naming the field
    const spoofed = await t.call(
      'POST',
      '/api/notifications',
      as(agent, {
        type: 'alert',
        target_actor_id: human.actorId,
        source_actor_id: colleague.actorId,
        title: 'x',
      }),
    );
    expect(spoofed.status).toBe(400);
    expect(spoofed.body.error.details[0].path).toBe('source_actor_id');
    const asked = await notify(agent, {
      type: 'needs_input',
      target_actor_id: human.actorId,
      title: 'Which launch date?',
      metadata: {
        input_type: 'single',
        options: [
          { value: 'may', label: 'May 1' },
          { value: 'june', label: 'June 1' },
        ],
        session_id: sessionId,
      },
    });
    expect(asked).toMatchObject({ status: 'pending', source_actor_id: agent.actorId, answer: null });

    const wrong = await t.call(
      'POST',
      `/api/notifications/${asked.id}/respond`,
      as(human, { value: 'july' }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].path).toBe('value');

    const notMine = await t.call(
      'POST',
      `/api/notifications/${asked.id}/respond`,
      as(colleague, { value: 'may' }),
    );
    expect(notMine.status).toBe(404);

    const answered = await t.call(
      'POST',
      `/api/notifications/${asked.id}/respond`,
      as(human, { value: 'june' }),
    );
    expect(answered.status).toBe(200);
    expect(answered.body.notification).toMatchObject({
      status: 'resolved',
      answer: { value: 'june' },
      answered_by: human.actorId,
    });
    expect(answered.body.wake).toEqual({
      status: 'woken',
      waker: 'wake-recorder',
      session_id: sessionId,
      mode: 'resumed',
    });

    const again = await t.call('POST', `/api/notifications/${asked.id}/respond`, as(human, { value: 'may' }));
    expect(again.status).toBe(409);

    const woken = (await recordedWakes()).filter((w) => (w.reason as any).notificationId === asked.id);
    expect(woken).toHaveLength(1);
    expect(woken[0]).toMatchObject({ agentId: agent.actorId, sessionId, wokenBy: human.actorId });
    expect(woken[0]!.prompt).toContain('answer: june');

    // The agent reads the answer (it is the source); the colleague cannot see it.
    const read = await t.call('GET', `/api/notifications/${asked.id}`, as(agent));
    expect(read.body.answer).toEqual({ value: 'june' });
    expect((await t.call('GET', `/api/notifications/${asked.id}`, as(colleague))).status).toBe(404);

    const events = (await eventsOf(t, human.workspaceId, ['notification'])).filter(
      (e) => e.entity_id === asked.id,
    );
    expect(events.map((e) => e.type)).toEqual(['notification.created', 'notification.responded']);
    expect(events[1]!.data.wake.session_id).toBe(sessionId);
  });

  it('two answers racing: one is stored, the other is 409, the agent is woken once', async () => {
    const asked = await notify(agent, {
      type: 'needs_input',
      target_actor_id: human.actorId,
      title: 'Ship it?',
      metadata: { input_type: 'confirmation' },
    });
    const results = await Promise.all(
      [true, false, true].map((value) =>
        t.call('POST', `/api/notifications/${asked.id}/respond`, as(human, { value })),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const woken = (await recordedWakes()).filter((w) => (w.reason as any).notificationId === asked.id);
    expect(woken).toHaveLength(1);
    expect(woken[0]!.sessionId).toBeNull(); // no session named: a new one is started
  });

  it('a refused wake keeps the answer and reports the refusal', async () => {
    const asked = await notify(agent, {
      type: 'needs_input',
      target_actor_id: human.actorId,
      title: `Budget question ${REFUSED_WAKE}`,
      metadata: { input_type: 'text' },
    });
    const answered = await t.call(
      'POST',
      `/api/notifications/${asked.id}/respond`,
      as(human, { value: 'Go' }),
    );
    expect(answered.status).toBe(200);
    expect(answered.body.wake).toMatchObject({ status: 'failed', waker: 'wake-recorder' });
    expect(answered.body.notification.status).toBe('resolved');
  });

  it('a human asker is not woken; actions and answers are validated', async () => {
    const asked = await notify(colleague, {
      type: 'recommendation',
      target_actor_id: human.actorId,
      title: 'Adopt the new template',
      metadata: {
        actions: [
          { id: 'accept', label: 'Accept' },
          { id: 'reject', label: 'Reject' },
        ],
      },
    });
    const noAction = await t.call('POST', `/api/notifications/${asked.id}/respond`, as(human, {}));
    expect(noAction.status).toBe(400);
    const ok = await t.call(
      'POST',
      `/api/notifications/${asked.id}/respond`,
      as(human, { action: 'accept' }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body.wake).toBeNull();
  });

  it('refuses malformed asks, non-member targets and answering what asks nothing', async () => {
    const bad = [
      { type: 'needs_input', target_actor_id: human.actorId, title: 'No ask' },
      { type: 'needs_input', target_actor_id: human.actorId, title: 'x', metadata: { input_type: 'single' } },
      {
        type: 'alert',
        target_actor_id: human.actorId,
        title: 'x',
        metadata: {
          input_type: 'text',
          options: [
            { value: 'a', label: 'A' },
            { value: 'b', label: 'B' },
          ],
        },
      },
      { type: 'alert', target_actor_id: outsider.actorId, title: 'Not a member' },
      { type: 'gossip', target_actor_id: human.actorId, title: 'x' },
    ];
    for (const body of bad) {
      const res = await t.call('POST', '/api/notifications', as(agent, body));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const missingObject = await t.call(
      'POST',
      '/api/notifications',
      as(agent, {
        type: 'alert',
        target_actor_id: human.actorId,
        title: 'x',
        object_id: crypto.randomUUID(),
      }),
    );
    expect(missingObject.status).toBe(404);
    const plain = await notify(agent, {
      type: 'good_news',
      target_actor_id: human.actorId,
      title: 'Shipped',
    });
    const res = await t.call(
      'POST',
      `/api/notifications/${plain.id}/respond`,
      as(human, { value: 'thanks' }),
    );
    expect(res.status).toBe(409);
  });
});

describe('unread tracking', () => {
  it('counts per type stay right under concurrent marks', async () => {
    const target = await addMember(t, human, 'viewer', 'Reader');
    const types = ['alert', 'good_news', 'recommendation', 'alert', 'good_news', 'alert'];
    const created: { id: string }[] = [];
    for (const [index, type] of types.entries()) {
      created.push(await notify(agent, { type, target_actor_id: target.actorId, title: `n${index}` }));
    }
    const counts = await t.call('GET', '/api/notifications/counts', as(target));
    expect(counts.body).toEqual({
      total: 6,
      by_type: { needs_input: 0, recommendation: 1, good_news: 2, alert: 3 },
    });

    // Every notification marked twice, in parallel, racing two "mark all".
    const requests = [
      ...created.flatMap((item) => [
        t.call('POST', `/api/notifications/${item.id}/seen`, as(target)),
        t.call('POST', `/api/notifications/${item.id}/seen`, as(target)),
      ]),
      t.call('POST', '/api/notifications/seen', as(target, {})),
      t.call('POST', '/api/notifications/seen', as(target, { type: 'alert' })),
    ];
    const results = await Promise.all(requests);
    expect(results.every((r) => r.status === 200)).toBe(true);

    const after = await t.call('GET', '/api/notifications/counts', as(target));
    expect(after.body.total).toBe(0);
    // Each notification changed state exactly once: single marks plus mark-all counts add up to 6.
    const events = await eventsOf(t, human.workspaceId, ['notification', 'actor']);
    const single = events.filter(
      (e) => e.type === 'notification.seen' && created.some((item) => item.id === e.entity_id),
    );
    const all = events.filter((e) => e.type === 'notification.all_seen' && e.actor_id === target.actorId);
    const bulkIds = all.flatMap((e) => e.data.ids as string[]);
    expect(single.length + bulkIds.length).toBe(6);
    expect(new Set([...single.map((e) => e.entity_id), ...bulkIds]).size).toBe(6);

    const unread = await t.call('GET', '/api/notifications?unread=true', as(target));
    expect(unread.body.items).toEqual([]);
  });

  it('lists only your own, filtered, in keyset pages; dismiss; sent direction', async () => {
    const reader = await addMember(t, human, 'member', 'Lister');
    for (let index = 0; index < 5; index++) {
      await notify(colleague, {
        type: index % 2 ? 'alert' : 'good_news',
        target_actor_id: reader.actorId,
        title: `p${index}`,
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await t.call('GET', `/api/notifications${query}`, as(reader));
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { title: string }) => item.title));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);

    const alerts = await t.call('GET', '/api/notifications?type=alert', as(reader));
    expect(alerts.body.items.map((item: { title: string }) => item.title)).toEqual(['p3', 'p1']);

    const dismissed = await t.call(
      'POST',
      `/api/notifications/${alerts.body.items[0].id}/dismiss`,
      as(reader),
    );
    expect(dismissed.body.status).toBe('dismissed');
    const pending = await t.call('GET', '/api/notifications?status=pending', as(reader));
    expect(pending.body.items).toHaveLength(4);

    const sent = await t.call('GET', '/api/notifications?direction=sent&limit=200', as(colleague));
    expect(
      sent.body.items.every(
        (item: { source_actor_id: string }) => item.source_actor_id === colleague.actorId,
      ),
    ).toBe(true);
    // Someone else's notification cannot be marked.
    expect(
      (await t.call('POST', `/api/notifications/${alerts.body.items[1].id}/seen`, as(colleague))).status,
    ).toBe(404);
    expect((await t.call('GET', '/api/notifications?cursor=garbage', as(reader))).status).toBe(400);
    // Without SMTP configured there is no email channel.
    const digest = await t.call('POST', '/api/notifications/digest', as(human));
    expect(digest.status).toBe(409);
    expect(digest.body.error.code).toBe('EMAIL_NOT_CONFIGURED');
  });
});

describe('MCP tools for agents', () => {
  it('ask_human, then get_notification_answer once the human answered', async () => {
    const inProcess = (url: string | URL, init?: RequestInit) =>
      Promise.resolve(t.kernel.app.request(url, init));
    const client = await connectMcp(
      'http://maskin.test',
      { key: agent.key, workspace: agent.workspaceId },
      inProcess,
    );
    try {
      const asked = await callTool(client, 'ask_human', {
        target_actor_id: human.actorId,
        question: 'Approve the budget?',
        input_type: 'confirmation',
      });
      expect(asked.isError, asked.text).toBe(false);
      const id = JSON.parse(asked.text).id;
      const before = await callTool(client, 'get_notification_answer', { notification_id: id });
      expect(JSON.parse(before.text)).toMatchObject({ answered: false, status: 'pending' });
      await t.call('POST', `/api/notifications/${id}/respond`, as(human, { value: true, comment: 'yes' }));
      const after = await callTool(client, 'get_notification_answer', { notification_id: id });
      expect(JSON.parse(after.text)).toMatchObject({
        answered: true,
        answer: { value: true, comment: 'yes' },
      });
      const bad = await callTool(client, 'ask_human', {
        target_actor_id: outsider.actorId,
        question: 'Not a member',
        input_type: 'text',
      });
      expect(JSON.parse(bad.text).status).toBe(400);
    } finally {
      await client.close();
    }
  });
});
