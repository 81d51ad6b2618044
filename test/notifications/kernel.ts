/** A test kernel with objects, notifications, subscriptions, comments and the test waker. */
import { join } from 'node:path';
import commentsExtension from '../../core-extensions/comments/index.ts';
import notificationsExtension from '../../core-extensions/notifications/index.ts';
import objectsExtension from '../../core-extensions/objects/index.ts';
import subscriptionsExtension from '../../core-extensions/subscriptions/index.ts';
import { installed } from '../helpers/extensions.ts';
import { waitFor } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import type { Member } from '../helpers/work-graph.ts';
import wakeRecorder from './wake-recorder/index.ts';

const core = (name: string) => join(import.meta.dirname, '..', '..', 'core-extensions', name);

export function notificationKernel(env: Record<string, string> = {}): Promise<TestKernel> {
  return createTestKernel({
    env,
    extensions: [
      installed(objectsExtension, { tier: 'core', dir: core('objects') }),
      installed(notificationsExtension, { tier: 'core', dir: core('notifications') }),
      installed(subscriptionsExtension, { tier: 'core', dir: core('subscriptions') }),
      installed(commentsExtension, { tier: 'core', dir: core('comments') }),
      installed(wakeRecorder, { dir: join(import.meta.dirname, 'wake-recorder') }),
    ],
  });
}

/** An agent member of `owner`'s workspace with its own key. */
export async function addAgent(t: TestKernel, owner: Member, name = 'Agent'): Promise<Member> {
  const agent = await t.call('POST', '/api/actors/agents', {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name, role: 'member' },
  });
  if (agent.status !== 201) throw new Error(`agent: ${agent.status} ${JSON.stringify(agent.body)}`);
  const key = await t.call('POST', `/api/actors/${agent.body.id}/api-keys`, {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name: 'agent key' },
  });
  if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
  return { key: key.body.key, actorId: agent.body.id, workspaceId: owner.workspaceId };
}

/**
 * Waits until the subscriptions fan-out has handled every event the workspace has so
 * far (its cursor reached the log's last id): after this, what it writes is there.
 * Fails fast when an event was parked instead.
 */
export async function fanoutCaughtUp(t: TestKernel, workspaceId: string): Promise<void> {
  const query = t.kernel.services.database.query;
  const [last] = await query<{ id: string }>('select max(id) as id from events where workspace_id = $1', [
    workspaceId,
  ]);
  const target = Number(last?.id ?? 0);
  await waitFor(async () => {
    const parked = await query('select 1 from event_dead_letters where workspace_id = $1 limit 1', [
      workspaceId,
    ]);
    if (parked.length > 0) throw new Error('an event was parked by a consumer');
    const [cursor] = await query<{ last_id: string }>(
      'select last_id from event_subscription_cursors where consumer = $1 and scope = $2',
      ['subscriptions:fanout', workspaceId],
    );
    return Number(cursor?.last_id ?? 0) >= target;
  });
}
