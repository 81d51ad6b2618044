/**
 * Stop works from every state that has not ended: pending, queued, running (the agent's
 * process is killed) and paused; each records session.stopped and ends the log with a
 * done line. Stopping an ended session is a 409.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

const pidDir = mkdtempSync(join(tmpdir(), 'fake-agent-pids-'));
let bench: Bench;
beforeAll(async () => {
  bench = await createBench({ profile: { env: { FAKE_AGENT_PID_DIR: pidDir } } });
});
afterAll(() => bench?.close());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const stop = async (id: string) => {
  const stopped = await bench.call('POST', `/api/sessions/${id}/stop`);
  expect(stopped.status).toBe(200);
  expect(stopped.body.status).toBe('stopped');
  const events = await bench.eventsOf(id);
  expect(events.at(-1).type).toBe('session.stopped');
  const lines = await bench.logs(id);
  expect(lines.filter((line) => line.kind === 'done').map((line) => JSON.parse(line.text).status)).toEqual([
    'stopped',
  ]);
};

it('stops a pending session', async () => {
  const created = await bench.start('long=1', { auto_start: false });
  expect(created.status).toBe('pending');
  await stop(created.id);
});

it('stops a running session and kills its process', async () => {
  const created = await bench.start('long=1');
  await bench.waitStatus(created.id, ['running']);
  const pid = await bench.waitPid(pidDir, created.id);
  expect(alive(pid)).toBe(true);
  await stop(created.id);
  await bench.waitFor('the agent process to die', async () => !alive(pid));
});

it('stops a queued session', async () => {
  await bench.call('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, {
    settings: { max_concurrent_sessions: 1 },
  });
  const first = await bench.start('long=1');
  const second = await bench.start('long=1');
  expect(second.status).toBe('queued');
  await stop(second.id);
  await stop(first.id);
  await bench.call('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, { settings: {} });
});

it('stops a paused session, and refuses to stop an ended one', async () => {
  const created = await bench.start('long=1');
  await bench.waitStatus(created.id, ['running']);
  expect((await bench.call('POST', `/api/sessions/${created.id}/pause`)).status).toBe(202);
  await bench.waitStatus(created.id, ['paused']);
  await stop(created.id);
  const again = await bench.call('POST', `/api/sessions/${created.id}/stop`);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('SESSIONS_INVALID_STATE');
});
