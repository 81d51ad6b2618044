/**
 * subscriptions on a real kernel: the durable fan-out notifies subscribers of an
 * object, an object type and an event type (and '*'), never the actor who caused the
 * event; creators and drivers are subscribed automatically; unsubscribing stops it.
 * Each check first waits until the fan-out's cursor passed every event so far.
 */

import { orm } from '@maskin/contract';
import { eventsOf, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsServiceRef } from '../../core-extensions/objects/api.ts';
import { resultRows } from '../../kernel/db/database.ts';
import { addMember } from '../helpers/work-graph.ts';
import { addAgent, fanoutCaughtUp, notificationKernel } from './kernel.ts';

let t: TestKernel;
let owner: Member;
let author: Member;
let driver: Member;
let watcher: Member;
let everything: Member;
let bystander: Member;

const as = (member: Member, body?: unknown) => ({ key: member.key, workspace: member.workspaceId, body });

async function inbox(member: Member): Promise<{ title: string; object_id: string | null; metadata: any }[]> {
  const res = await t.call('GET', '/api/notifications?limit=200', as(member));
  expect(res.status).toBe(200);
  return res.body.items;
}

async function subscribe(member: Member, body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/subscriptions', as(member, body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

beforeAll(async () => {
  t = await notificationKernel();
  const signup = await t.signup('Owner');
  owner = { key: signup.key, actorId: signup.actorId, workspaceId: signup.workspaceId };
  author = await addMember(t, owner, 'member', 'Author');
  driver = await addAgent(t, owner, 'Driver bot');
  watcher = await addMember(t, owner, 'viewer', 'Watcher');
  everything = await addMember(t, owner, 'member', 'Everything');
  bystander = await addMember(t, owner, 'member', 'Bystander');
});

afterAll(() => t?.close());

describe('subscriptions', () => {
  it('notifies the creator, the driver and subscribers of the type, object and event type, never the author of the change', async () => {
    // Subscriptions apply to events the fan-out handles after they exist: start from a quiet log.
    await fanoutCaughtUp(t, owner.workspaceId);
    await subscribe(watcher, { object_type: 'task' });
    await subscribe(everything, { event_type: '*' });
    await subscribe(bystander, { event_type: 'object.status_changed' });

    const created = await t.call(
      'POST',
      '/api/objects',
      as(author, { type: 'task', title: 'Write the launch post', driver_id: driver.actorId }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const task = created.body;
    await fanoutCaughtUp(t, owner.workspaceId);

    // Auto-subscriptions: creator and driver.
    const authorSubs = await t.call('GET', '/api/subscriptions', as(author));
    expect(authorSubs.body.items).toEqual([
      expect.objectContaining({ kind: 'object', target: task.id, reason: 'creator' }),
    ]);
    const driverSubs = await t.call('GET', '/api/subscriptions', as(driver));
    expect(driverSubs.body.items).toEqual([
      expect.objectContaining({ kind: 'object', target: task.id, reason: 'driver' }),
    ]);

    // The author caused object.created: not notified. The driver, the type watcher and '*' are.
    expect(await inbox(author)).toEqual([]);
    expect((await inbox(driver)).map((n) => n.metadata.event_type)).toEqual(['object.created']);
    expect((await inbox(watcher)).map((n) => n.metadata.event_type)).toEqual(['object.created']);
    expect((await inbox(everything)).map((n) => n.metadata.event_type)).toEqual(['object.created']);
    expect(await inbox(bystander)).toEqual([]);

    // The driver (an agent) changes the status: the author hears of it now, the driver does not.
    const moved = await t.call('PATCH', `/api/objects/${task.id}`, as(driver, { status: 'in_progress' }));
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await fanoutCaughtUp(t, owner.workspaceId);
    const authorInbox = await inbox(author);
    expect(authorInbox.map((n) => n.metadata.event_type).sort()).toEqual([
      'object.status_changed',
      'object.updated',
    ]);
    expect(authorInbox.every((n) => n.object_id === task.id)).toBe(true);
    expect(authorInbox.find((n) => n.metadata.event_type === 'object.status_changed')!.title).toContain(
      'todo → in_progress',
    );
    expect((await inbox(driver)).map((n) => n.metadata.event_type)).toEqual(['object.created']);
    expect((await inbox(bystander)).map((n) => n.metadata.event_type)).toEqual(['object.status_changed']);
    // '*' does not echo the notifications and subscriptions the fan-out itself wrote.
    const everythingTypes = (await inbox(everything)).map((n) => n.metadata.event_type);
    expect(
      everythingTypes.every((type) => !type.startsWith('notification.') && !type.startsWith('subscription.')),
    ).toBe(true);
    expect(everythingTypes).toContain('object.status_changed');
  });

  it('a new driver is subscribed; a manual object subscription; unsubscribe stops notifications', async () => {
    const created = await t.call(
      'POST',
      '/api/objects',
      as(author, { type: 'bet', title: 'Self-serve onboarding' }),
    );
    const bet = created.body;
    await fanoutCaughtUp(t, owner.workspaceId);
    const sub = await subscribe(bystander, { object_id: bet.id });
    const twice = await t.call('POST', '/api/subscriptions', as(bystander, { object_id: bet.id }));
    expect(twice.status).toBe(200);
    expect(twice.body.id).toBe(sub.id);

    await t.call('PATCH', `/api/objects/${bet.id}`, as(author, { driver_id: watcher.actorId }));
    await fanoutCaughtUp(t, owner.workspaceId);
    const watcherSubs = await t.call('GET', '/api/subscriptions?kind=object', as(watcher));
    expect(watcherSubs.body.items.map((s: { target: string }) => s.target)).toContain(bet.id);
    const bystanderBefore = (await inbox(bystander)).filter((n) => n.object_id === bet.id);
    expect(bystanderBefore.map((n) => n.metadata.event_type)).toEqual(['object.updated']);

    expect((await t.call('DELETE', `/api/subscriptions/${sub.id}`, as(bystander))).status).toBe(204);
    expect((await t.call('DELETE', `/api/subscriptions/${sub.id}`, as(bystander))).status).toBe(404);
    await t.call('PATCH', `/api/objects/${bet.id}`, as(author, { title: 'Self-serve onboarding v2' }));
    await fanoutCaughtUp(t, owner.workspaceId);
    expect((await inbox(bystander)).filter((n) => n.object_id === bet.id)).toHaveLength(1);

    const events = await eventsOf(t, owner.workspaceId, ['subscription']);
    expect(events.filter((e) => e.entity_id === sub.id).map((e) => e.type)).toEqual([
      'subscription.created',
      'subscription.deleted',
    ]);
  });

  it('subscribes creators and drivers inside the writing transaction, set-based, where subscriptions is enabled', async () => {
    const objects = await t.kernel.container.get(objectsServiceRef);
    const { db } = t.kernel.services.database;

    // Read inside the creating transaction: the fan-out (another transaction) cannot have
    // written these rows, so seeing them proves the write itself did, before its commit.
    const inTransaction = await db.transaction(async (tx) => {
      const created = await objects.create(
        tx,
        { workspaceId: owner.workspaceId, actorId: author.actorId },
        [
          { type: 'task', title: 'Driven by the driver', driver_id: driver.actorId },
          { type: 'task', title: 'No driver' },
          { type: 'task', title: 'Driven by its creator', driver_id: author.actorId },
        ],
        (index) => String(index),
      );
      const ids = created.map((object) => object.id);
      const rows = resultRows<{ actor_id: string; target: string; reason: string }>(
        await tx.execute(
          orm.sql`select actor_id, target, reason from subscriptions
                   where workspace_id = ${owner.workspaceId} and target in ${ids}`,
        ),
      );
      return { ids, rows };
    });
    const [driven, plain, self] = inTransaction.ids as [string, string, string];
    const sorted = (rows: { actor_id: string; target: string; reason: string }[]) =>
      rows.map((row) => `${row.target}:${row.actor_id}:${row.reason}`).sort();
    expect(sorted(inTransaction.rows)).toEqual(
      sorted([
        { target: driven, actor_id: author.actorId, reason: 'creator' },
        { target: driven, actor_id: driver.actorId, reason: 'driver' },
        { target: plain, actor_id: author.actorId, reason: 'creator' },
        // A creator who drives the object is subscribed once, as its creator.
        { target: self, actor_id: author.actorId, reason: 'creator' },
      ]),
    );
    const recorded = (await eventsOf(t, owner.workspaceId, ['subscription'])).filter((event) =>
      inTransaction.ids.includes(event.data.target),
    );
    expect(recorded).toHaveLength(4);
    expect(new Set(recorded.map((event) => event.actor_id))).toEqual(new Set([author.actorId]));

    // A workspace that turned subscriptions off subscribes nobody.
    const off = await t.call(
      'PUT',
      `/api/workspaces/${owner.workspaceId}/extensions/subscriptions`,
      as(owner, { enabled: false }),
    );
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    try {
      const quiet = await t.call('POST', '/api/objects', as(author, { type: 'task', title: 'Unwatched' }));
      expect(quiet.status).toBe(201);
      const rows = await t.kernel.services.database.query('select 1 from subscriptions where target = $1', [
        quiet.body.id,
      ]);
      expect(rows).toEqual([]);
    } finally {
      const on = await t.call(
        'PUT',
        `/api/workspaces/${owner.workspaceId}/extensions/subscriptions`,
        as(owner, { enabled: true }),
      );
      expect(on.status).toBe(200);
    }
  });

  it('refuses bad targets', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{}, 400],
      [{ object_type: 'task', event_type: '*' }, 400],
      [{ object_type: 'spaceship' }, 400],
      [{ event_type: 'not an event' }, 400],
      [{ object_id: crypto.randomUUID() }, 404],
    ];
    for (const [body, status] of cases) {
      expect(
        (await t.call('POST', '/api/subscriptions', as(author, body))).status,
        JSON.stringify(body),
      ).toBe(status);
    }
  });
});
