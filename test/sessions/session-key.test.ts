/**
 * The agent's MASKIN_API_KEY is a session key: it works in the session's workspace
 * while the session runs, is answered as a non-member in another workspace of the same
 * agent, cannot mint keys, and is rejected (401) as soon as the session has ended.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

const keyFile = join(mkdtempSync(join(tmpdir(), 'fake-agent-key-')), 'key');
let bench: Bench;
beforeAll(async () => {
  bench = await createBench({ profile: { env: { FAKE_AGENT_KEY_FILE: keyFile } } });
});
afterAll(() => bench?.close());

it('works during the run and is rejected after it', async () => {
  const other = await bench.call('POST', '/api/workspaces', { name: 'Other' });
  await bench.t.call('POST', `/api/workspaces/${other.body.id}/members`, {
    key: bench.owner.key,
    body: { actor_id: bench.agentId, role: 'member' },
  });
  const created = await bench.start('long=1');
  await bench.waitStatus(created.id, ['running']);
  const key = await bench.waitFor('the key file', async () => {
    try {
      return readFileSync(keyFile, 'utf8') || undefined;
    } catch {
      return undefined;
    }
  });
  const inWorkspace = await bench.call('GET', '/api/objects', undefined, key);
  expect(inWorkspace.status).toBe(200);
  const elsewhere = await bench.t.call('GET', '/api/objects', { key, workspace: other.body.id });
  expect(elsewhere.status).toBe(404);
  const mint = await bench.t.call('POST', `/api/actors/${bench.agentId}/api-keys`, {
    key,
    body: { name: 'x' },
  });
  expect(mint.status).toBe(403);

  await bench.call('POST', `/api/sessions/${created.id}/input`, { text: 'exit' });
  await bench.waitStatus(created.id, ['completed']);
  const after = await bench.call('GET', '/api/objects', undefined, key);
  expect(after.status).toBe(401);
});
