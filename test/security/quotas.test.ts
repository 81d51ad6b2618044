/**
 * Finding 10 (issue 10): one person held 80 streams by making agents. Streams are now
 * capped per actor, per workspace and per person (an agent's streams count toward the
 * human who minted its key), and agents per workspace and active keys per actor have
 * quotas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSse, type ServedKernel, serveKernel, waitFor } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let server: ServedKernel;
beforeAll(async () => {
  t = await createTestKernel({
    extensions: [],
    env: {
      MASKIN_SSE_MAX_STREAMS_PER_ACTOR: '2',
      MASKIN_SSE_MAX_STREAMS_PER_PERSON: '3',
      MASKIN_SSE_MAX_STREAMS_PER_WORKSPACE: '5',
      MASKIN_MAX_AGENTS_PER_WORKSPACE: '3',
      MASKIN_MAX_KEYS_PER_ACTOR: '3',
    },
  });
  server = await serveKernel(t.kernel);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const stream = (key: string, workspace: string) =>
  connectSse(`${server.url}/api/events/stream`, { key, workspace });

async function agentKey(owner: { key: string; workspaceId: string }, name: string) {
  const agent = await t.call('POST', '/api/actors/agents', {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name },
  });
  expect(agent.status, JSON.stringify(agent.body)).toBe(201);
  const key = await t.call('POST', `/api/actors/${agent.body.id}/api-keys`, {
    key: owner.key,
    body: { name: 'k' },
  });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return key.body.key as string;
}

describe('stream caps', () => {
  it("an agent's streams count toward the person who made its key", async () => {
    const owner = await t.signup('Streamer');
    const [a, b] = [await agentKey(owner, 'A'), await agentKey(owner, 'B')];
    const open = [
      await stream(owner.key, owner.workspaceId),
      await stream(a, owner.workspaceId),
      await stream(b, owner.workspaceId),
    ];
    expect(open.map((c) => c.status)).toEqual([200, 200, 200]);
    // Each actor is under its own cap of 2, but the person holds 3.
    const refused = await stream(b, owner.workspaceId);
    expect(refused.status).toBe(429);
    expect(refused.errorBody.error.message).toMatch(/their own and their agents/);
    for (const connection of open) connection.close();
    await waitFor(() => t.kernel.services.streamQuota.openStreams(owner.actorId) === 0);
  });

  it('a workspace holds at most its cap, whoever opens them', async () => {
    const owner = await t.signup('Host');
    const guests = [await t.signup('G1'), await t.signup('G2'), await t.signup('G3')];
    for (const guest of guests) {
      const invited = await t.call('POST', `/api/workspaces/${owner.workspaceId}/invitations`, {
        key: owner.key,
        body: { email: guest.email, role: 'viewer' },
      });
      await t.call('POST', `/api/actors/me/invitations/${invited.body.id}/accept`, { key: guest.key });
    }
    const open = [];
    for (const person of [owner, ...guests]) {
      for (let i = 0; i < 2 && open.length < 5; i++) open.push(await stream(person.key, owner.workspaceId));
    }
    expect(open.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    const refused = await stream(guests[2]!.key, owner.workspaceId);
    expect(refused.status).toBe(429);
    expect(refused.errorBody.error.message).toMatch(/workspace/);
    // Their own workspaces are not affected.
    const elsewhere = await stream(guests[2]!.key, guests[2]!.workspaceId);
    expect(elsewhere.status).toBe(200);
    for (const connection of [...open, elsewhere]) connection.close();
  });
});

describe('quotas', () => {
  it('agents per workspace and active keys per actor', async () => {
    const owner = await t.signup('Quota');
    for (const name of ['1', '2', '3']) {
      const made = await t.call('POST', '/api/actors/agents', {
        key: owner.key,
        workspace: owner.workspaceId,
        body: { name },
      });
      expect(made.status).toBe(201);
    }
    const fourth = await t.call('POST', '/api/actors/agents', {
      key: owner.key,
      workspace: owner.workspaceId,
      body: { name: '4' },
    });
    expect(fourth.status).toBe(409);
    expect(fourth.body.error.message).toMatch(/3 agents/);

    // Signup made the first key; two more reach the cap of 3.
    const keys = [];
    for (const name of ['k2', 'k3']) {
      const key = await t.call('POST', '/api/actors/me/api-keys', { key: owner.key, body: { name } });
      expect(key.status).toBe(201);
      keys.push(key.body);
    }
    const over = await t.call('POST', '/api/actors/me/api-keys', { key: owner.key, body: { name: 'k4' } });
    expect(over.status).toBe(409);
    // Revoking one frees a slot.
    await t.call('DELETE', `/api/actors/me/api-keys/${keys[0].id}`, { key: owner.key });
    expect(
      (await t.call('POST', '/api/actors/me/api-keys', { key: owner.key, body: { name: 'k5' } })).status,
    ).toBe(201);
  });
});
