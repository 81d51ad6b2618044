/** Shared by the extension-stream suites: a test kernel with the stream-demo extension, and its calls. */
import { recordEvent } from '../../kernel/events/record-event.ts';
import { installed } from '../helpers/extensions.ts';
import { connectSse, type SseMessage } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import streamDemo from './fixture/index.ts';

export type User = Awaited<ReturnType<TestKernel['signup']>>;

export const startStreamKernel = (env: Record<string, string> = {}) =>
  createTestKernel({ env, extensions: [installed(streamDemo)] });

export async function appendLine(t: TestKernel, user: User, log: string, text: string): Promise<number> {
  const result = await t.call('POST', `/api/m/stream-demo/logs/${log}/lines`, {
    key: user.key,
    workspace: user.workspaceId,
    body: { text },
  });
  if (result.status !== 201)
    throw new Error(`append failed: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body.id as number;
}

export function openLog(
  baseUrl: string,
  user: { key?: string; workspaceId?: string },
  log: string,
  options: { lastEventId?: number; query?: string } = {},
) {
  return connectSse(`${baseUrl}/api/m/stream-demo/logs/${log}/stream${options.query ?? ''}`, {
    key: user.key,
    workspace: user.workspaceId,
    lastEventId: options.lastEventId,
  });
}

export const lineIds = (messages: SseMessage[]) =>
  messages.filter((m) => m.id !== undefined).map((m) => Number(m.id));
export const isLive = (messages: SseMessage[]) => messages.some((m) => m.comment === 'live');

/** An event in the kernel's own log, to show the two streams do not mix. */
export const recordKernelEvent = (t: TestKernel, user: User) =>
  t.kernel.services.database.db.transaction((tx) =>
    recordEvent(tx, {
      workspaceId: user.workspaceId,
      actorId: user.actorId,
      type: 'task.created',
      entityType: 'task',
      entityId: 'x',
    }),
  );
