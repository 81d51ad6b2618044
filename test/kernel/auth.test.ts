/**
 * API keys end to end: which tokens are refused (and how), the key format, listing
 * without secrets, last_used_at, revocation, and who may manage whose keys.
 */

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from '../../kernel/auth/api-key-format.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

const me = (key: string | undefined, headers?: Record<string, string>) =>
  t.call('GET', '/api/actors/me', { key, headers });

function expectUnauthorized(result: { status: number; body: any }, message?: RegExp) {
  expect(result.status).toBe(401);
  expect(result.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
  if (message) expect(result.body.error.message).toMatch(message);
}

/** Changes one character of the key at `index` to another base62 character. */
function typo(key: string, index: number): string {
  const replacement = key[index] === 'a' ? 'b' : 'a';
  return key.slice(0, index) + replacement + key.slice(index + 1);
}

async function createKey(key: string, actor: string, body: Record<string, unknown> = { name: 'extra' }) {
  return t.call('POST', `/api/actors/${actor}/api-keys`, { key, body });
}

describe('refused credentials', () => {
  it('401 without an Authorization header', async () => {
    expectUnauthorized(await me(undefined));
  });

  it('401 for a header with the wrong scheme', async () => {
    const { key } = await t.signup('Scheme');
    expectUnauthorized(await me(undefined, { authorization: `Basic ${key}` }), /Bearer/);
    expectUnauthorized(await me(undefined, { authorization: key }), /Bearer/);
  });

  it('401 for a token that is not an API key, or one with a typo (checksum)', async () => {
    const { key } = await t.signup('Typo');
    expectUnauthorized(await me('not-a-key'), /Malformed/);
    expectUnauthorized(await me(typo(key, 10)), /Malformed/);
    expectUnauthorized(await me(`${key}x`), /Malformed/);
  });

  it('401 for a well-formed key that was never issued', async () => {
    const unknown = generateApiKey();
    expect(isWellFormedApiKey(unknown)).toBe(true);
    expectUnauthorized(await me(unknown), /Unknown/);
  });

  it('401 for an expired key, also once it has been cached', async () => {
    const user = await t.signup('Expiring');
    const created = await createKey(user.key, 'me', {
      name: 'short-lived',
      expires_at: new Date(Date.now() + 1500).toISOString(),
    });
    expect(created.status).toBe(201);
    expect(created.body.expires_at).not.toBeNull();
    // Used while valid: the verifier now holds it in its cache.
    expect((await me(created.body.key)).status).toBe(200);
    await sleep(new Date(created.body.expires_at).getTime() - Date.now() + 50);
    expectUnauthorized(await me(created.body.key), /expired/);
  });

  it('401 for a key that expired before it was ever used', async () => {
    const user = await t.signup('Expired');
    const created = await createKey(user.key, 'me', {
      name: 'stale',
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    // expires_at cannot be set in the past through the API; age it in the database.
    await t.testDatabase.database.query(
      "update api_keys set expires_at = now() - interval '1 second' where id = $1",
      [created.body.id],
    );
    expectUnauthorized(await me(created.body.key), /expired/);
  });

  it('refuses to create a key that is already expired', async () => {
    const user = await t.signup('Past');
    const result = await createKey(user.key, 'me', {
      name: 'past',
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('401 for a revoked key immediately on the instance that revoked it, even when cached', async () => {
    const user = await t.signup('Revoker');
    const second = await createKey(user.key, 'me');
    expect((await me(second.body.key)).status).toBe(200);
    const revoked = await t.call('DELETE', `/api/actors/me/api-keys/${second.body.id}`, { key: user.key });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expectUnauthorized(await me(second.body.key), /revoked/);
    // Rotation: the key that was not revoked keeps working.
    expect((await me(user.key)).status).toBe(200);
  });

  it('revoking a key again changes nothing and writes no second event', async () => {
    const user = await t.signup('Twice');
    const second = await createKey(user.key, 'me');
    const revoke = () => t.call('DELETE', `/api/actors/me/api-keys/${second.body.id}`, { key: user.key });
    const first = await revoke();
    const again = await revoke();
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(first.body.revoked_at);
    const [row] = await t.testDatabase.database.query<{ n: string }>(
      "select count(*) as n from events where type = 'api_key.revoked' and entity_id = $1",
      [second.body.id],
    );
    expect(Number(row!.n)).toBe(1);
  });

  it('a key can revoke itself', async () => {
    const user = await t.signup('Self revoke');
    const list = await t.call('GET', '/api/actors/me/api-keys', { key: user.key });
    const [only] = list.body.items;
    expect((await t.call('DELETE', `/api/actors/me/api-keys/${only.id}`, { key: user.key })).status).toBe(
      200,
    );
    expectUnauthorized(await me(user.key), /revoked/);
  });
});

describe('key format', () => {
  it('is ank_ + base62 with at least 128 bits of randomness, and unique', async () => {
    const { key } = await t.signup('Format');
    expect(key).toMatch(/^ank_[0-9A-Za-z]{32,}$/);
    // 62^32 > 2^190; the body is everything between the prefix and the 6-character checksum.
    expect((key.length - 'ank_'.length - 6) * Math.log2(62)).toBeGreaterThanOrEqual(128);
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
  });

  it('the checksum rejects every one-character typo without a database lookup', () => {
    const key = generateApiKey();
    expect(isWellFormedApiKey(key)).toBe(true);
    for (let index = 'ank_'.length; index < key.length; index++) {
      expect(isWellFormedApiKey(typo(key, index)), `typo at ${index}`).toBe(false);
    }
    expect(isWellFormedApiKey(`ank-${key.slice(4)}`)).toBe(false);
  });

  it('is stored as the hex SHA-256 of the whole key, so keys issued before still verify', async () => {
    const { key } = await t.signup('Stored');
    const stored = await t.testDatabase.database.query<{ key_hash: string }>(
      'select key_hash from api_keys where key_hash = $1',
      [createHash('sha256').update(key).digest('hex')],
    );
    expect(stored).toHaveLength(1);
    expect(hashApiKey(key)).toBe(stored[0]!.key_hash);
  });
});

describe('listing keys', () => {
  it('never returns a secret or its hash', async () => {
    const user = await t.signup('Lister');
    const extra = await createKey(user.key, 'me', { name: 'ci' });
    const list = await t.call('GET', '/api/actors/me/api-keys', { key: user.key });
    expect(list.status).toBe(200);
    expect(list.body.items.map((k: any) => k.name).sort()).toEqual(['ci', 'default']);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(user.key);
    expect(text).not.toContain(extra.body.key);
    for (const item of list.body.items) {
      expect(Object.keys(item).sort()).toEqual(
        ['actor_id', 'created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at'].sort(),
      );
      expect(item.prefix.length).toBeLessThan(16);
    }
  });

  it('pages through keys with a cursor', async () => {
    const user = await t.signup('Pager');
    for (const name of ['a', 'b', 'c']) await createKey(user.key, 'me', { name });
    const first = await t.call('GET', '/api/actors/me/api-keys?limit=3', { key: user.key });
    expect(first.body.items).toHaveLength(3);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await t.call(
      'GET',
      `/api/actors/me/api-keys?limit=3&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      { key: user.key },
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((k: any) => k.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('pages keys created within one millisecond without skipping any', async () => {
    // created_at has microseconds; the cursor carries an ISO timestamp (milliseconds).
    const user = await t.signup('Microsecond pager');
    await t.testDatabase.database.query(
      `insert into api_keys (actor_id, name, key_hash, display_prefix, created_at) values
         ($1, 'early', 'us-hash-1', 'ank_x', '2030-01-01T00:00:00.123100Z'),
         ($1, 'middle', 'us-hash-2', 'ank_x', '2030-01-01T00:00:00.123456Z'),
         ($1, 'late', 'us-hash-3', 'ank_x', '2030-01-01T00:00:00.123789Z')`,
      [user.actorId],
    );
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.call(
        'GET',
        `/api/actors/me/api-keys?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { key: user.key },
      );
      expect(page.status).toBe(200);
      names.push(...page.body.items.map((k: any) => k.name));
      cursor = page.body.next_cursor;
    } while (cursor && names.length < 10);
    expect(names.sort()).toEqual(['default', 'early', 'late', 'middle']);
  });

  it('records last_used_at when a key is used', async () => {
    const user = await t.signup('Used');
    const fresh = await createKey(user.key, 'me', { name: 'fresh' });
    const listed = async () =>
      (await t.call('GET', '/api/actors/me/api-keys', { key: user.key })).body.items.find(
        (k: any) => k.id === fresh.body.id,
      );
    expect((await listed()).last_used_at).toBeNull();
    expect((await me(fresh.body.key)).status).toBe(200);
    // Written off the request path: wait for it rather than assuming when it lands.
    await vi.waitFor(async () => expect((await listed()).last_used_at).not.toBeNull(), { timeout: 5000 });
  });
});

describe('who may manage keys', () => {
  it('an actor manages its own keys, by id or as `me`', async () => {
    const user = await t.signup('Owner of keys');
    const byId = await createKey(user.key, user.actorId, { name: 'by-id' });
    expect(byId.status).toBe(201);
    expect(byId.body.key).toMatch(/^ank_/);
    expect((await me(byId.body.key)).body.id).toBe(user.actorId);
  });

  it("a workspace admin manages the keys of that workspace's agents; co-members and strangers cannot", async () => {
    const owner = await t.signup('Agent owner');
    const admin = await t.signup('Agent admin');
    const member = await t.signup('Plain member');
    const stranger = await t.signup('Stranger');
    for (const [user, role] of [
      [admin, 'admin'],
      [member, 'member'],
    ] as const) {
      await inviteAndAccept(t, owner.key, owner.workspaceId, user, role);
    }
    const agent = await t.call('POST', '/api/actors/agents', {
      key: admin.key,
      workspace: owner.workspaceId,
      body: { name: 'Helper bot' },
    });
    expect(agent.status).toBe(201);
    const agentId = agent.body.id;

    // The admin creates, lists and revokes the agent's key.
    const agentKey = await createKey(admin.key, agentId, { name: 'bot key' });
    expect(agentKey.status).toBe(201);
    expect((await me(agentKey.body.key)).body).toMatchObject({ id: agentId, type: 'agent' });
    expect((await t.call('GET', `/api/actors/${agentId}/api-keys`, { key: owner.key })).status).toBe(200);

    // The agent manages its own keys.
    expect((await createKey(agentKey.body.key, 'me', { name: 'self' })).status).toBe(201);

    // A plain member of the same workspace, and a stranger, cannot.
    for (const other of [member, stranger]) {
      expect((await createKey(other.key, agentId)).status).toBe(404);
      expect((await t.call('GET', `/api/actors/${agentId}/api-keys`, { key: other.key })).status).toBe(404);
      const revoke = await t.call('DELETE', `/api/actors/${agentId}/api-keys/${agentKey.body.id}`, {
        key: other.key,
      });
      expect(revoke.status).toBe(404);
    }
    // Nobody manages a human's keys but the human, not even an owner of a shared workspace.
    expect((await createKey(owner.key, member.actorId)).status).toBe(404);
    expect((await t.call('GET', `/api/actors/${admin.actorId}/api-keys`, { key: owner.key })).status).toBe(
      404,
    );
    expect((await createKey(stranger.key, owner.actorId)).status).toBe(404);

    const revoked = await t.call('DELETE', `/api/actors/${agentId}/api-keys/${agentKey.body.id}`, {
      key: admin.key,
    });
    expect(revoked.status).toBe(200);
    expectUnauthorized(await me(agentKey.body.key));
  });

  it('an admin cannot mint keys for an agent that outranks them (that would be a way to act as owner)', async () => {
    const owner = await t.signup('Top owner');
    const admin = await t.signup('Ambitious admin');
    const ws = owner.workspaceId;
    await inviteAndAccept(t, owner.key, ws, admin, 'admin');
    const agent = await t.call('POST', '/api/actors/agents', {
      key: owner.key,
      workspace: ws,
      body: { name: 'Trusted bot', role: 'admin' },
    });
    const promoted = await t.call('PATCH', `/api/workspaces/${ws}/members/${agent.body.id}`, {
      key: owner.key,
      body: { role: 'owner' },
    });
    expect(promoted.status).toBe(200);
    expect((await createKey(admin.key, agent.body.id)).status).toBe(404);
    // The owner still manages it.
    expect((await createKey(owner.key, agent.body.id)).status).toBe(201);
  });

  it("adding someone else's agent to your own workspace does not let you mint its keys", async () => {
    const owner = await t.signup('Bot maker');
    const outsider = await t.signup('Former colleague');
    const agent = await t.call('POST', '/api/actors/agents', {
      key: owner.key,
      workspace: owner.workspaceId,
      body: { name: 'Valuable bot' },
    });
    // The outsider knows the id (say, from when they were a co-member) and tries to adopt the agent.
    const adopted = await t.call('POST', `/api/workspaces/${outsider.workspaceId}/members`, {
      key: outsider.key,
      body: { actor_id: agent.body.id, role: 'viewer' },
    });
    expect(adopted.status).toBe(404);
    expect((await createKey(outsider.key, agent.body.id)).status).toBe(404);
    expect((await createKey(owner.key, agent.body.id)).status).toBe(201);

    // Its manager may bring it into another workspace they run; then they still manage it.
    const second = await t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'Second' } });
    const moved = await t.call('POST', `/api/workspaces/${second.body.id}/members`, {
      key: owner.key,
      body: { actor_id: agent.body.id, role: 'admin' },
    });
    expect(moved.status).toBe(201);
    expect((await createKey(owner.key, agent.body.id)).status).toBe(201);
  });

  it("a key manager must hold the agent's role in every workspace the agent is in", async () => {
    const owner = await t.signup('Two-workspace owner');
    const admin = await t.signup('One-workspace admin');
    const agent = await t.call('POST', '/api/actors/agents', {
      key: owner.key,
      workspace: owner.workspaceId,
      body: { name: 'Roaming bot' },
    });
    await inviteAndAccept(t, owner.key, owner.workspaceId, admin, 'admin');
    expect((await createKey(admin.key, agent.body.id)).status).toBe(201);
    const private_ = await t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'Private' } });
    await t.call('POST', `/api/workspaces/${private_.body.id}/members`, {
      key: owner.key,
      body: { actor_id: agent.body.id, role: 'viewer' },
    });
    // A key minted by the admin would now also reach a workspace the admin is not in.
    expect((await createKey(admin.key, agent.body.id)).status).toBe(404);
  });

  it("cannot revoke another actor's key through its own actor path", async () => {
    const a = await t.signup('Key holder A');
    const b = await t.signup('Key holder B');
    const bKeys = await t.call('GET', '/api/actors/me/api-keys', { key: b.key });
    const revoke = await t.call('DELETE', `/api/actors/me/api-keys/${bKeys.body.items[0].id}`, {
      key: a.key,
    });
    expect(revoke.status).toBe(404);
    expect((await me(b.key)).status).toBe(200);
  });
});
