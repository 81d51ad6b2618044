/** A test kernel with objects, notifications, subscriptions, comments and the test waker. */
import { join } from 'node:path';
import notificationsExtension from '../../core-extensions/notifications/index.ts';
import objectsExtension from '../../core-extensions/objects/index.ts';
import { installed } from '../helpers/extensions.ts';
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
