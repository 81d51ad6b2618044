/**
 * daily-digest's wiring and pure parts, without a kernel or a database
 * (setupWithFakes): what it subscribes to, the queue it works, its routes and tools,
 * its page, its lifecycle hook, the subscription's skip rules, and the schedule's
 * next slot in a time zone.
 */
import {
  actAsRef,
  dbRef,
  eventLogRef,
  eventsRef,
  installationConfigRef,
  jobsRef,
  lifecycleRef,
  loggerRef,
  membersRef,
  type SubscribeOptions,
  secretSettingsRef,
  streamsRef,
} from '@maskin/contract';
import { setupWithFakes } from '@maskin/test-kit';
import { describe, expect, it } from 'vitest';
import { objectLinksRef, objectsServiceRef } from '../../core-extensions/objects/api.ts';
import extension from './index.ts';
import { nextSlot, repairSchedules } from './schedule.ts';

/** A transaction that fails the test if the code under test touches it. */
const untouchable = new Proxy(
  {},
  {
    get(_target, property) {
      throw new Error(`the transaction was used (${String(property)})`);
    },
  },
);

async function wired(objects: unknown[] = []) {
  const subscriptions: SubscribeOptions[] = [];
  const queues: string[] = [];
  const readyHooks: unknown[] = [];
  const linked: unknown[] = [];
  const { contributions } = await setupWithFakes(extension, {
    values: [
      [dbRef, { db: {} }],
      [eventsRef, { record: async () => ({ id: 1, createdAt: new Date() }) }],
      [eventLogRef, { subscribe: (options: SubscribeOptions) => subscriptions.push(options) }],
      [jobsRef, { work: (queue: string) => queues.push(queue) }],
      [
        streamsRef,
        {
          createStream: () => ({
            channel: 'fake',
            nextId: async () => 1,
            respond: async () => new Response(),
          }),
        },
      ],
      [membersRef, {}],
      [actAsRef, {}],
      [secretSettingsRef, { get: async () => ({}) }],
      [installationConfigRef, { max_items: 200 }],
      [
        lifecycleRef,
        { onReady: (hook: unknown) => readyHooks.push(hook), beforeDrain: () => {}, onShutdown: () => {} },
      ],
      [loggerRef, { info: () => {}, warn: () => {} }],
      [objectLinksRef, { link: async (...args: unknown[]) => linked.push(args) }],
      [objectsServiceRef, { getMany: async () => objects }],
    ],
  });
  return { contributions, subscriptions, queues, readyHooks, linked };
}

describe('daily-digest setup', () => {
  it('subscribes to object activity, works the compile queue and restarts schedules when ready', async () => {
    const { contributions, subscriptions, queues, readyHooks } = await wired();
    expect(subscriptions.map((s) => [s.consumer, s.types])).toEqual([
      ['collect', ['object.created', 'object.updated', 'object.status_changed']],
    ]);
    expect(queues).toEqual(['compile']);
    expect(readyHooks).toHaveLength(1);
    expect(contributions.onEnabled).toBeTypeOf('function');
    expect(contributions.onSettingsChange).toBeTypeOf('function');
    expect(String(contributions.pages?.assetsDir)).toMatch(/daily-digest\/pages\/$/);
    const routes = contributions.routes!.map((r) => `${r.route.method.toUpperCase()} ${r.route.path}`);
    expect(routes.sort()).toEqual([
      'GET /digests',
      'GET /digests/{id}',
      'GET /progress/stream',
      'POST /digests',
      'POST /receipts',
    ]);
    const tools = contributions.routes!.flatMap((r) => (r.tool ? [r.tool.name] : []));
    expect(tools.sort()).toEqual(['compile_digest', 'list_digests']);
  });

  const event = (entityId: string) => ({
    id: 7,
    workspace_id: '00000000-0000-4000-8000-000000000001',
    type: 'object.created',
    actor_id: null,
    entity_type: 'object',
    entity_id: entityId,
    data: { type: 'insight', title: 'Daily digest: 3 changes' },
    created_at: new Date().toISOString(),
  });
  const deliver = (subscription: SubscribeOptions, entityId: string) =>
    subscription.handler(event(entityId), {
      tx: untouchable as never,
      workspaceId: '00000000-0000-4000-8000-000000000001',
      attempt: 1,
    });

  it("does not collect a digest's own insight, nor an object deleted since", async () => {
    const insight = { id: '00000000-0000-4000-8000-0000000000aa', metadata: { daily_digest_id: 'x' } };
    const own = await wired([insight]);
    await deliver(own.subscriptions[0]!, insight.id);
    expect(own.linked).toEqual([]);

    const gone = await wired([]);
    await deliver(gone.subscriptions[0]!, insight.id);
    expect(gone.linked).toEqual([]);
  });

  it('computes the next slot at the hour of the time zone, daylight saving included', () => {
    const oslo = { hour: 9, timezone: 'Europe/Oslo' };
    // Winter (UTC+1) and summer (UTC+2).
    expect(nextSlot(oslo, new Date('2026-01-15T07:59:00Z')).toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(nextSlot(oslo, new Date('2026-01-15T08:00:00Z')).toISOString()).toBe('2026-01-16T08:00:00.000Z');
    expect(nextSlot(oslo, new Date('2026-07-15T06:00:00Z')).toISOString()).toBe('2026-07-15T07:00:00.000Z');
    expect(nextSlot({ hour: 0, timezone: 'UTC' }, new Date('2026-03-01T12:00:00Z')).toISOString()).toBe(
      '2026-03-02T00:00:00.000Z',
    );
  });

  it('restarts, when ready, only the schedules whose job ended in an enabled workspace', async () => {
    const rows = [
      { workspaceId: 'ws-failed', jobId: 'job-failed', runAt: new Date() },
      { workspaceId: 'ws-pending', jobId: 'job-pending', runAt: new Date() },
      { workspaceId: 'ws-disabled', jobId: 'job-gone', runAt: new Date() },
    ];
    const states: Record<string, string> = { 'job-failed': 'failed', 'job-pending': 'pending' };
    const enqueued: { workspaceId: string | null; singletonKey?: string }[] = [];
    const upserted: unknown[] = [];
    const tx = {
      select: () => ({ from: () => ({ where: () => ({ for: async () => [] }) }) }),
      insert: () => ({ values: (v: unknown) => ({ onConflictDoUpdate: async () => upserted.push(v) }) }),
    };
    const db = {
      select: () => ({ from: async () => rows }),
      transaction: async (work: (t: unknown) => Promise<unknown>) => work(tx),
    };
    const jobs = {
      get: async (id: string) => (states[id] ? { state: states[id] } : undefined),
      enqueue: async (_tx: unknown, job: { workspaceId: string | null; singletonKey?: string }) => {
        enqueued.push(job);
        return { id: 'job-new', created: true };
      },
    };
    const repaired = await repairSchedules(db as never, jobs as never, {
      isEnabled: async (workspaceId) => workspaceId !== 'ws-disabled',
      settings: async () => ({ hour: 9, timezone: 'UTC' }),
    });
    expect(repaired).toBe(1);
    expect(enqueued.map((j) => j.workspaceId)).toEqual(['ws-failed']);
    expect(enqueued[0]!.singletonKey).toMatch(/^scheduled:\d{4}-\d\d-\d\dT09:00:00\.000Z$/);
    expect(upserted).toHaveLength(1);
  });
});
