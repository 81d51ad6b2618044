/**
 * A disabled extension's jobs stop in that workspace only: they wait (unclaimed, no
 * attempt counted) until the extension is enabled there again; other workspaces'
 * jobs and installation-wide jobs run meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { type JobsHandle, jobsExtension, until } from './jobs-extension.ts';

const ran: string[] = [];
const record = (jobs: JobsHandle['jobs']) =>
  jobs.work('work', async (job) => {
    ran.push(job.id);
  });
const defaultOn = jobsExtension('jobs-default-on', record, 'default-on');
const optIn = jobsExtension('jobs-opt-in', record, 'opt-in');

let t: TestKernel;
let owner: Awaited<ReturnType<TestKernel['signup']>>;
let workspaceA: string;
let workspaceB: string;

const setEnabled = async (extensionId: string, workspaceId: string, enabled: boolean) => {
  const result = await t.call('PUT', `/api/workspaces/${workspaceId}/extensions/${extensionId}`, {
    key: owner.key,
    body: { enabled },
  });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
};
const enqueue = (handle: JobsHandle, workspaceId: string | null) =>
  handle.database.db.transaction((tx) => handle.jobs.enqueue(tx, { queue: 'work', workspaceId }));
const stateOf = async (handle: JobsHandle, id: string) => (await handle.jobs.get(id))?.state;

beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(defaultOn.definition), installed(optIn.definition)] });
  owner = await t.signup('Gated');
  workspaceA = owner.workspaceId;
  const created = await t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'B' } });
  workspaceB = created.body.id;
});
afterAll(async () => {
  await t?.close();
});

describe('jobs of a disabled extension', () => {
  it('wait in the workspace where it is disabled while other workspaces run theirs, and run once re-enabled', async () => {
    await setEnabled('jobs-default-on', workspaceA, false);
    // A's job is older, so it would be claimed first if it were eligible.
    const inA = await enqueue(defaultOn, workspaceA);
    const inB = await enqueue(defaultOn, workspaceB);
    const installationWide = await enqueue(defaultOn, null);
    await until(async () => (await stateOf(defaultOn, inB.id)) === 'completed');
    await until(async () => (await stateOf(defaultOn, installationWide.id)) === 'completed');
    expect(await defaultOn.jobs.get(inA.id)).toMatchObject({ state: 'pending', attempt: 0 });
    expect(ran).not.toContain(inA.id);

    await setEnabled('jobs-default-on', workspaceA, true);
    await until(async () => (await stateOf(defaultOn, inA.id)) === 'completed');
    expect(ran.filter((id) => id === inA.id)).toHaveLength(1);
  });

  it('wait for an opt-in extension never enabled in the workspace', async () => {
    await setEnabled('jobs-opt-in', workspaceB, true);
    const inA = await enqueue(optIn, workspaceA);
    const inB = await enqueue(optIn, workspaceB);
    await until(async () => (await stateOf(optIn, inB.id)) === 'completed');
    expect(await optIn.jobs.get(inA.id)).toMatchObject({ state: 'pending', attempt: 0 });

    await setEnabled('jobs-opt-in', workspaceA, true);
    await until(async () => (await stateOf(optIn, inA.id)) === 'completed');
  });
});
