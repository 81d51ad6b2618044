/**
 * Idempotency-Key through the real middleware: replay, 422 on another body, 409 while
 * the first request is still running, scoping per API key, and 5xx not remembered.
 *
 * "Still running" is made deterministic in two ways: a test-only route (mounted
 * through the kernel's buildRouter, so the real pipeline guards it) that waits on a
 * promise the test releases; and, on PostgreSQL, a real kernel route held up by a row
 * lock that another connection keeps on the workspace's event counter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineRoute, jsonBody, jsonResponse } from '../../kernel/contract/route.ts';
import { buildRouter } from '../../kernel/http/build-router.ts';
import { sweepIdempotencyKeys } from '../../kernel/http/idempotency-sweep.ts';
import { usingPostgres } from '../helpers/test-database.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Controls the test-only `/api/test-idempotency/work` route. */
const work = {
  calls: 0,
  hold: undefined as { entered: Deferred; release: Deferred } | undefined,
  failNext: false,
};

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
  const { database, verifier, memberships } = t.kernel.services;
  t.kernel.app.route(
    '/api/test-idempotency',
    buildRouter(
      [
        defineRoute({
          access: { auth: 'actor' },
          route: createRoute({
            method: 'post',
            path: '/work',
            request: { body: jsonBody(z.object({ n: z.number() })) },
            responses: { 200: jsonResponse(z.object({ n: z.number(), call: z.number() }), 'Done') },
          }),
          handler: async (c) => {
            const call = ++work.calls;
            const hold = work.hold;
            if (hold) {
              hold.entered.resolve();
              await hold.release.promise;
            }
            if (work.failNext) {
              work.failNext = false;
              throw new Error('transient failure');
            }
            return c.json({ n: c.req.valid('json').n, call }, 200);
          },
        }),
      ],
      { database, verifier, memberships },
    ),
  );
});
afterAll(() => t?.close());

const count = async (sql: string, params: unknown[]) =>
  Number((await t.testDatabase.database.query<{ n: string }>(sql, params))[0]!.n);

function post(key: string, idempotencyKey: string, path: string, body: unknown) {
  return t.call('POST', path, { key, body, headers: { 'idempotency-key': idempotencyKey } });
}

describe('Idempotency-Key', () => {
  it('same key and body replays the stored status and body, and does the work once', async () => {
    const user = await t.signup('Replayer');
    const name = `idem-${randomUUID()}`;
    const first = await post(user.key, 'create-1', '/api/workspaces', { name });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(user.key, 'create-1', '/api/workspaces', { name });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/application\/json/);
    expect(again.headers.get('x-request-id')).toBeTruthy();

    expect(await count('select count(*) as n from workspaces where name = $1', [name])).toBe(1);
    expect(
      await count("select count(*) as n from events where type = 'workspace.created' and entity_id = $1", [
        first.body.id,
      ]),
    ).toBe(1);
  });

  it('replays error responses too (a 4xx is an answer)', async () => {
    const user = await t.signup('Error replay');
    const body = { actor_id: randomUUID(), role: 'viewer' };
    const path = `/api/workspaces/${user.workspaceId}/members`;
    const first = await post(user.key, 'missing-actor', path, body);
    expect(first.status).toBe(404);
    const again = await post(user.key, 'missing-actor', path, body);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('same key with another body is 422 and does nothing', async () => {
    const user = await t.signup('Reuser');
    const original = `idem-${randomUUID()}`;
    const other = `idem-${randomUUID()}`;
    expect((await post(user.key, 'reused', '/api/workspaces', { name: original })).status).toBe(201);
    const reused = await post(user.key, 'reused', '/api/workspaces', { name: other });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) });
    expect(await count('select count(*) as n from workspaces where name = $1', [other])).toBe(0);
  });

  it('same key while the first request is still running is 409 with Retry-After', async () => {
    const user = await t.signup('Impatient');
    const hold = { entered: deferred(), release: deferred() };
    work.hold = hold;
    const callsBefore = work.calls;
    const first = post(user.key, 'slow-1', '/api/test-idempotency/work', { n: 1 });
    try {
      await hold.entered.promise;
      const retry = await post(user.key, 'slow-1', '/api/test-idempotency/work', { n: 1 });
      expect(retry.status).toBe(409);
      expect(retry.body.error.code).toBe('CONFLICT');
      expect(retry.headers.get('retry-after')).toMatch(/^\d+$/);
      // Another body under the same key is still a 422, running or not.
      expect((await post(user.key, 'slow-1', '/api/test-idempotency/work', { n: 2 })).status).toBe(422);
    } finally {
      work.hold = undefined;
      hold.release.resolve();
    }
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ n: 1, call: callsBefore + 1 });
    const replay = await post(user.key, 'slow-1', '/api/test-idempotency/work', { n: 1 });
    expect(replay.body).toEqual(done.body);
    expect(work.calls).toBe(callsBefore + 1);
  });

  it('a 5xx is not remembered: the retry runs again', async () => {
    const user = await t.signup('Retrier');
    work.failNext = true;
    const failed = await post(user.key, 'flaky', '/api/test-idempotency/work', { n: 7 });
    expect(failed.status).toBe(500);
    const retried = await post(user.key, 'flaky', '/api/test-idempotency/work', { n: 7 });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await post(user.key, 'flaky', '/api/test-idempotency/work', { n: 7 });
    expect(replayed.body).toEqual(retried.body);
  });

  it('keys are scoped per API key, method and route', async () => {
    const alice = await t.signup('Alice');
    const bob = await t.signup('Bob');
    const aliceSecond = (
      await t.call('POST', '/api/actors/me/api-keys', { key: alice.key, body: { name: 'second' } })
    ).body.key as string;
    const body = { name: `idem-${randomUUID()}` };
    const ids = new Set<string>();
    for (const key of [alice.key, aliceSecond, bob.key]) {
      const result = await post(key, 'shared-key', '/api/workspaces', body);
      expect(result.status).toBe(201);
      expect(result.headers.get('idempotent-replayed')).toBeNull();
      ids.add(result.body.id);
    }
    expect(ids.size).toBe(3);
    // The same key on another route of the same API key is independent too.
    const elsewhere = await post(alice.key, 'shared-key', '/api/actors/me/api-keys', { name: 'other route' });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.key).toMatch(/^ank_/);
  });

  it('replays a response without a body (204)', async () => {
    const owner = await t.signup('Remover');
    const leaver = await t.signup('Leaver');
    const ws = owner.workspaceId;
    await inviteAndAccept(t, owner.key, ws, leaver, 'viewer');
    const remove = () =>
      t.call('DELETE', `/api/workspaces/${ws}/members/${leaver.actorId}`, {
        key: owner.key,
        headers: { 'idempotency-key': 'remove-leaver' },
      });
    const first = await remove();
    expect(first.status).toBe(204);
    const again = await remove();
    expect(again.status).toBe(204);
    expect(again.body).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(
      await count("select count(*) as n from events where type = 'member.removed' and workspace_id = $1", [
        ws,
      ]),
    ).toBe(1);
  });

  it('a retry through another host name of the same API replays', async () => {
    // Instances behind different addresses (a failover, an internal name) are one API.
    const user = await t.signup('Failover');
    const body = JSON.stringify({ name: `idem-${randomUUID()}` });
    const send = (origin: string) =>
      t.kernel.app.request(`${origin}/api/workspaces`, {
        method: 'POST',
        body,
        headers: {
          authorization: `Bearer ${user.key}`,
          'content-type': 'application/json',
          'idempotency-key': 'failover-1',
        },
      });
    const first = await send('http://instance-a.internal:3000');
    expect(first.status).toBe(201);
    const retry = await send('https://api.example.com');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(await first.json());
  });

  it('a path too long for the key ledger is a 400 that stores nothing, not a 500', async () => {
    // The ledger's primary key holds the path; a btree entry over ~2.7 kB of
    // incompressible text cannot be indexed (54000). Node accepts URLs up to ~16 kB.
    const user = await t.signup('Long path');
    const longId = randomBytes(2400).toString('base64url');
    const result = await t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/${longId}`, {
      key: user.key,
      body: { enabled: true },
      headers: { 'idempotency-key': 'long-path' },
    });
    expect(result.status, JSON.stringify(result.body)).toBe(400);
    expect(result.body.error.code).toBe('VALIDATION_ERROR');
    expect(await count('select count(*) as n from idempotency_keys where key = $1', ['long-path'])).toBe(0);
  });

  it('rejects a malformed key and ignores keys on reads', async () => {
    const user = await t.signup('Malformed key');
    const bad = await post(user.key, 'has spaces', '/api/workspaces', { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'Idempotency-Key', message: 'invalid' }]);
    const read = await t.call('GET', '/api/workspaces', {
      key: user.key,
      headers: { 'idempotency-key': 'read-1' },
    });
    expect(read.status).toBe(200);
    expect(await count('select count(*) as n from idempotency_keys where key = $1', ['read-1'])).toBe(0);
  });
});

describe.skipIf(!usingPostgres())('Idempotency-Key on a real route held up in the database', () => {
  it('409 while the first request waits on a row lock; afterwards one invitation and one event', async () => {
    const owner = await t.signup('Locker');
    const joiner = await t.signup('Joiner');
    const ws = owner.workspaceId;
    const path = `/api/workspaces/${ws}/invitations`;
    const body = { email: joiner.email, role: 'member' };
    const blocker = postgres(t.testDatabase.url!, { max: 1, onnotice: () => {} });
    const release = deferred();
    const locked = deferred();
    // Holds the workspace's event counter row: the request's recordEvent waits on it.
    const holding = blocker.begin(async (tx) => {
      await tx`select last_id from event_sequences where scope = ${ws} for update`;
      locked.resolve();
      await release.promise;
    });
    try {
      await locked.promise;
      const first = post(owner.key, 'add-joiner', path, body);
      // Wait until the first request is really blocked inside its transaction.
      await vi.waitFor(
        async () => {
          const waiting = await count(
            `select count(*) as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`,
            [],
          );
          expect(waiting).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 20 },
      );
      const retry = await post(owner.key, 'add-joiner', path, body);
      expect(retry.status).toBe(409);
      expect(retry.headers.get('retry-after')).toMatch(/^\d+$/);
      release.resolve();
      await holding;
      const done = await first;
      expect(done.status).toBe(201);
      const replay = await post(owner.key, 'add-joiner', path, body);
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(done.body);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      release.resolve();
      await holding.catch(() => {});
      await blocker.end();
    }
    expect(
      await count('select count(*) as n from workspace_invitations where workspace_id = $1 and email = $2', [
        ws,
        joiner.email,
      ]),
    ).toBe(1);
    expect(
      await count(
        "select count(*) as n from events where type = 'invitation.created' and workspace_id = $1",
        [ws],
      ),
    ).toBe(1);
  });
});

describe('retention', () => {
  it('forgets keys after 24 h: the sweep deletes them, in batches, and a reuse runs again', async () => {
    const user = await t.signup('Sweeper');
    const keys = ['old-1', 'old-2', 'old-3', 'fresh'];
    for (const key of keys) {
      expect((await post(user.key, key, '/api/test-idempotency/work', { n: 1 })).status).toBe(200);
    }
    const apiKeyId = (await t.call('GET', '/api/actors/me/api-keys', { key: user.key })).body.items[0].id;
    await t.testDatabase.database.query(
      "update idempotency_keys set created_at = now() - interval '25 hours' where api_key_id = $1 and key like 'old-%'",
      [apiKeyId],
    );
    const mine = () =>
      t.testDatabase.database.query<{ key: string }>(
        'select key from idempotency_keys where api_key_id = $1 order by key',
        [apiKeyId],
      );
    expect(await sweepIdempotencyKeys(t.testDatabase.database, 2)).toBeGreaterThanOrEqual(3);
    expect((await mine()).map((row) => row.key)).toEqual(['fresh']);

    const callsBefore = work.calls;
    expect((await post(user.key, 'fresh', '/api/test-idempotency/work', { n: 1 })).body.call).toBe(
      callsBefore,
    );
    const reused = await post(user.key, 'old-1', '/api/test-idempotency/work', { n: 2 });
    expect(reused.status).toBe(200);
    expect(reused.body).toEqual({ n: 2, call: callsBefore + 1 });
  });
});
