/**
 * The one error envelope for every kind of bad request, X-Request-Id on every
 * response, and the rule that every mutation writes its event in its own transaction
 * (and a failed one writes none).
 *
 * A few test-only routes are mounted through the kernel's own buildRouter (the real
 * pipeline) before the first request, to produce failures no kernel route produces on
 * purpose: an unexpected exception, a database error, and a mutation that fails after
 * it has written.
 */
import { Writable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authOf } from '../../kernel/contract/context.ts';
import { encodeCursor } from '../../kernel/contract/pagination.ts';
import { defineRoute, jsonResponse } from '../../kernel/contract/route.ts';
import { KERNEL_EVENT_TYPES } from '../../kernel/events/kernel-event-types.ts';
import { buildRouter } from '../../kernel/http/build-router.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

const BODY_LIMIT = 2048;
const SECRET_DETAIL = 'kaboom in /srv/maskin/secret-module.ts';

/** Every structured log line the kernel writes during this file. */
const logLines: any[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
    done();
  },
});

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({
    env: { MASKIN_BODY_LIMIT: String(BODY_LIMIT) },
    logger: pino({ level: 'info' }, logSink),
  });
  const { database, verifier, memberships, workspaces } = t.kernel.services;
  const ok = { 200: jsonResponse(z.object({ ok: z.boolean() }), 'never reached') };
  t.kernel.app.route(
    '/api/test-errors',
    buildRouter(
      [
        defineRoute({
          access: { auth: 'public' },
          route: createRoute({ method: 'get', path: '/throw', responses: ok }),
          handler: () => {
            throw new Error(SECRET_DETAIL);
          },
        }),
        defineRoute({
          access: { auth: 'public' },
          route: createRoute({ method: 'get', path: '/sql', responses: ok }),
          handler: async () => {
            await database.query('select * from no_such_table_anywhere');
            throw new Error('unreachable');
          },
        }),
        defineRoute({
          access: { auth: 'public' },
          route: createRoute({
            method: 'post',
            path: '/duplicate-email',
            request: {
              body: { content: { 'application/json': { schema: z.object({ email: z.string() }) } } },
            },
            responses: ok,
          }),
          handler: async (c) => {
            // Skips the service's friendly pre-check: the unique index itself answers.
            await database.query("insert into actors (type, name, email) values ('human', 'Twin', $1)", [
              c.req.valid('json').email,
            ]);
            return c.json({ ok: true }, 200);
          },
        }),
        defineRoute({
          access: { auth: 'actor' },
          route: createRoute({
            method: 'post',
            path: '/create-then-fail',
            request: {
              body: { content: { 'application/json': { schema: z.object({ name: z.string() }) } } },
            },
            responses: ok,
          }),
          handler: async (c) => {
            await database.db.transaction(async (tx) => {
              await workspaces.create(tx, { name: c.req.valid('json').name, ownerId: authOf(c).actor.id });
              throw new Error('failed after writing');
            });
            return c.json({ ok: true }, 200);
          },
        }),
      ],
      { database, verifier, memberships },
    ),
  );
});
afterAll(() => t?.close());

function expectEnvelope(result: { status: number; body: any }, status: number, code: string) {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(Object.keys(result.body)).toEqual(['error']);
  expect(result.body.error).toMatchObject({ code, message: expect.any(String) });
  const allowed = ['code', 'message', 'details'];
  expect(Object.keys(result.body.error).every((k) => allowed.includes(k))).toBe(true);
}

describe('the error envelope', () => {
  it('zod validation failures list each bad field by path', async () => {
    const user = await t.signup('Validator');
    const body = await t.call('POST', '/api/workspaces', {
      key: user.key,
      body: { name: '', settings: 'not an object' },
    });
    expectEnvelope(body, 400, 'VALIDATION_ERROR');
    expect(body.body.error.details.map((d: any) => d.path).sort()).toEqual(['name', 'settings']);
    for (const detail of body.body.error.details) expect(detail.message).toEqual(expect.any(String));

    const query = await t.call('GET', '/api/workspaces?limit=1000', { key: user.key });
    expectEnvelope(query, 400, 'VALIDATION_ERROR');
    expect(query.body.error.details).toEqual([{ path: 'limit', message: expect.any(String) }]);

    const param = await t.call('GET', '/api/actors/not-a-uuid', { key: user.key });
    expectEnvelope(param, 400, 'VALIDATION_ERROR');
    expect(param.body.error.details[0].path).toBe('actor_id');

    const signup = await t.call('POST', '/api/actors/signup', { body: { name: 'X', email: 'nope' } });
    expectEnvelope(signup, 400, 'VALIDATION_ERROR');
    expect(signup.body.error.details).toEqual([{ path: 'email', message: expect.any(String) }]);
  });

  it('malformed JSON is a 400', async () => {
    const user = await t.signup('Malformed');
    for (const rawBody of ['{"name":', '', 'not json']) {
      const result = await t.call('POST', '/api/workspaces', {
        key: user.key,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expectEnvelope(result, 400, 'VALIDATION_ERROR');
      expect(result.body.error.message).toMatch(/JSON/);
    }
  });

  it('a body that is not JSON is a 415', async () => {
    const user = await t.signup('Wrong type');
    const text = await t.call('POST', '/api/workspaces', {
      key: user.key,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectEnvelope(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const missing = await t.call('POST', '/api/workspaces', { key: user.key, rawBody: '{"name":"x"}' });
    expectEnvelope(missing, 415, 'UNSUPPORTED_MEDIA_TYPE');
    // A +json media type is JSON.
    const vendor = await t.call('POST', '/api/workspaces', {
      key: user.key,
      rawBody: '{"name":"x"}',
      headers: { 'content-type': 'application/vnd.api+json' },
    });
    expect(vendor.status).toBe(201);
  });

  it('an unknown route is a 404 naming it', async () => {
    const result = await t.call('GET', '/api/no-such-thing');
    expectEnvelope(result, 404, 'NOT_FOUND');
    expect(result.body.error.message).toContain('/api/no-such-thing');
    expectEnvelope(await t.call('PUT', '/api/workspaces'), 404, 'NOT_FOUND');
    expectEnvelope(await t.call('GET', '/nothing-here'), 404, 'NOT_FOUND');
  });

  it('a body over the limit is a 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT * 2), email: 'big@example.com' });
    const streamed = await t.call('POST', '/api/actors/signup', {
      rawBody: big,
      headers: { 'content-type': 'application/json' },
    });
    expectEnvelope(streamed, 413, 'PAYLOAD_TOO_LARGE');
    const declared = await t.call('POST', '/api/actors/signup', {
      rawBody: big,
      headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
    });
    expectEnvelope(declared, 413, 'PAYLOAD_TOO_LARGE');
    const [row] = await t.testDatabase.database.query<{ n: string }>(
      "select count(*) as n from actors where email = 'big@example.com'",
    );
    expect(Number(row!.n)).toBe(0);
  });

  it('an unexpected exception is a 500 INTERNAL without stack or message', async () => {
    const result = await t.call('GET', '/api/test-errors/throw');
    expect(result.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(result.status).toBe(500);
    const text = JSON.stringify(result.body);
    expect(text).not.toContain('kaboom');
    expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+/);
  });

  it('a database error that is not the client’s fault is a 500 that does not leak SQL', async () => {
    const result = await t.call('GET', '/api/test-errors/sql');
    expectEnvelope(result, 500, 'INTERNAL');
    expect(JSON.stringify(result.body)).not.toContain('no_such_table');
  });

  it('a constraint violation is a 409, never a 500', async () => {
    const user = await t.signup('Twin');
    const result = await t.call('POST', '/api/test-errors/duplicate-email', {
      body: { email: user.email.toUpperCase() },
    });
    expectEnvelope(result, 409, 'CONFLICT');
  });

  it('text the database cannot store (a NUL character) is a 400 that changes nothing, never a 500', async () => {
    const user = await t.signup('Nul');
    const rejected = [
      t.call('PATCH', `/api/workspaces/${user.workspaceId}`, { key: user.key, body: { name: 'a\u0000b' } }),
      t.call('PATCH', `/api/workspaces/${user.workspaceId}`, {
        key: user.key,
        body: { settings: { note: 'x\u0000y' } },
      }),
      t.call('POST', '/api/actors/me/api-keys', { key: user.key, body: { name: 'k\u0000' } }),
      t.call('GET', '/api/events?type=a%00b', { key: user.key, workspace: user.workspaceId }),
      t.call('GET', '/api/events?entity_id=%00', { key: user.key, workspace: user.workspaceId }),
    ];
    for (const result of await Promise.all(rejected)) expectEnvelope(result, 400, 'VALIDATION_ERROR');
    const workspace = await t.call('GET', `/api/workspaces/${user.workspaceId}`, { key: user.key });
    expect(workspace.body).toMatchObject({ name: "Nul's workspace", settings: {} });
  });

  it('a bad cursor is a 400 on every list', async () => {
    const user = await t.signup('Cursor');
    const lists = [
      '/api/workspaces',
      '/api/actors/me/api-keys',
      `/api/workspaces/${user.workspaceId}/members`,
    ];
    const cursors = [
      '!!not-base64!!',
      encodeCursor([]),
      encodeCursor(['not-a-uuid']),
      encodeCursor(['not-a-date', 'not-a-uuid']),
      encodeCursor(['2024-01-01T00:00:00.000Z', 'not-a-uuid']),
      Buffer.from('{"a":1}').toString('base64url'),
    ];
    for (const list of lists) {
      for (const cursor of cursors) {
        const result = await t.call('GET', `${list}?cursor=${encodeURIComponent(cursor)}`, { key: user.key });
        expect(result.status, `${list} with cursor ${cursor}: ${JSON.stringify(result.body)}`).toBe(400);
        expect(result.body.error.code).toBe('VALIDATION_ERROR');
      }
    }
  });
});

describe('X-Request-Id', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('is on every response, success or error, and unique', async () => {
    const user = await t.signup('Traced');
    const responses = [
      await t.call('GET', '/api/health'),
      await t.call('GET', '/openapi.json'),
      await t.call('GET', '/api/actors/me', { key: user.key }),
      await t.call('GET', '/api/actors/me'),
      await t.call('GET', '/api/nowhere'),
      await t.call('POST', '/api/workspaces', { key: user.key, body: {} }),
      await t.call('POST', '/api/workspaces', { key: user.key, rawBody: 'x' }),
      await t.call('POST', '/api/actors/signup', {
        rawBody: 'x'.repeat(BODY_LIMIT + 1),
        headers: { 'content-type': 'application/json' },
      }),
      await t.call('GET', '/api/test-errors/throw'),
    ];
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const [index, id] of ids.entries()) expect(id, `response ${index}`).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is on the structured log lines of the request, and a 500 logs its stack there (not in the response)', async () => {
    const ok = await t.call('GET', '/api/health', { headers: { 'x-request-id': 'log-ok-1' } });
    expect(ok.status).toBe(200);
    const failed = await t.call('GET', '/api/test-errors/throw', {
      headers: { 'x-request-id': 'log-500-1' },
    });
    expect(failed.status).toBe(500);
    const ofRequest = (id: string) => logLines.filter((line) => line.request_id === id);
    expect(ofRequest('log-ok-1')).toContainEqual(
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/api/health', status: 200 }),
    );
    const failure = ofRequest('log-500-1');
    expect(failure).toContainEqual(expect.objectContaining({ msg: 'request', status: 500 }));
    const errorLine = failure.find((line) => line.err);
    expect(errorLine?.err.message).toBe(SECRET_DETAIL);
    expect(errorLine?.err.stack).toMatch(/\n\s+at /);
  });

  it('echoes a well-formed incoming id and replaces a malformed one', async () => {
    const echoed = await t.call('GET', '/api/health', { headers: { 'x-request-id': 'trace-abc.123:7' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc.123:7');
    const failed = await t.call('GET', '/api/nowhere', { headers: { 'x-request-id': 'trace-404' } });
    expect(failed.headers.get('x-request-id')).toBe('trace-404');
    for (const bad of ['has spaces in it', 'x'.repeat(200), '<script>']) {
      const replaced = await t.call('GET', '/api/health', { headers: { 'x-request-id': bad } });
      expect(replaced.headers.get('x-request-id')).toMatch(UUID);
    }
  });
});

describe('events', () => {
  interface EventRow {
    key: string;
    type: string;
    workspace_id: string | null;
    actor_id: string | null;
    entity_type: string;
    entity_id: string | null;
  }
  const allEvents = () =>
    t.testDatabase.database.query<EventRow>(
      "select scope || ':' || id as key, type, workspace_id, actor_id, entity_type, entity_id from events",
    );
  /**
   * Runs `action` and returns the kernel events it wrote. Creating a workspace also
   * enables the default-on extensions in it, each with its own `extension.*` event
   * (the registry's, tested with the registry): left out here.
   */
  async function eventsOf(action: () => Promise<unknown>): Promise<Omit<EventRow, 'key'>[]> {
    const before = new Set((await allEvents()).map((e) => e.key));
    await action();
    return (await allEvents())
      .filter((e) => !before.has(e.key) && !e.type.startsWith('extension.'))
      .map(({ key: _key, ...rest }) => rest);
  }
  const expectOk = async (promise: Promise<{ status: number; body: any }>, status: number) => {
    const result = await promise;
    expect(result.status, JSON.stringify(result.body)).toBe(status);
    return result;
  };

  it('every successful mutation writes its event', async () => {
    let signup!: { body: any };
    const signupEvents = await eventsOf(async () => {
      signup = await expectOk(
        t.call('POST', '/api/actors/signup', { body: { name: 'Eventful', email: 'eventful@example.com' } }),
        201,
      );
    });
    const owner = { key: signup.body.api_key.key as string, id: signup.body.actor.id as string };
    expect(signupEvents.map((e) => e.type).sort()).toEqual(
      ['actor.created', 'api_key.created', 'workspace.created'].sort(),
    );
    expect(signupEvents.every((e) => e.actor_id === owner.id)).toBe(true);

    let ws = '';
    expect(
      await eventsOf(async () => {
        ws = (await expectOk(t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'E' } }), 201))
          .body.id;
      }),
    ).toEqual([
      {
        type: 'workspace.created',
        workspace_id: ws,
        actor_id: owner.id,
        entity_type: 'workspace',
        entity_id: ws,
      },
    ]);

    const other = await t.signup('Other');
    let invitationId = '';
    const steps: [string, () => Promise<unknown>][] = [
      [
        'workspace.updated',
        () =>
          expectOk(t.call('PATCH', `/api/workspaces/${ws}`, { key: owner.key, body: { name: 'E2' } }), 200),
      ],
      [
        'invitation.created',
        async () => {
          invitationId = (
            await expectOk(
              t.call('POST', `/api/workspaces/${ws}/invitations`, {
                key: owner.key,
                body: { email: other.email, role: 'viewer' },
              }),
              201,
            )
          ).body.id;
        },
      ],
      [
        // Written by the invitee, with the membership it creates (checked below the loop).
        'invitation.accepted',
        () =>
          expectOk(
            t.call('POST', `/api/actors/me/invitations/${invitationId}/accept`, { key: other.key }),
            200,
          ),
      ],
      [
        'member.role_changed',
        () =>
          expectOk(
            t.call('PATCH', `/api/workspaces/${ws}/members/${other.actorId}`, {
              key: owner.key,
              body: { role: 'admin' },
            }),
            200,
          ),
      ],
      [
        'member.removed',
        () =>
          expectOk(
            t.call('DELETE', `/api/workspaces/${ws}/members/${other.actorId}`, { key: owner.key }),
            204,
          ),
      ],
      [
        'actor.created',
        () =>
          expectOk(
            t.call('POST', '/api/actors/agents', { key: owner.key, workspace: ws, body: { name: 'B' } }),
            201,
          ),
      ],
    ];
    for (const [type, step] of steps) {
      const written = await eventsOf(step);
      if (type === 'invitation.accepted') {
        expect(written.map((e) => e.type)).toEqual(['invitation.accepted', 'member.added']);
        expect(written.every((e) => e.workspace_id === ws && e.actor_id === other.actorId)).toBe(true);
        continue;
      }
      expect(written, type).toHaveLength(1);
      expect(written[0]).toMatchObject({ type, workspace_id: ws, actor_id: owner.id });
    }

    let keyId = '';
    const created = await eventsOf(async () => {
      keyId = (
        await expectOk(
          t.call('POST', '/api/actors/me/api-keys', { key: owner.key, body: { name: 'k' } }),
          201,
        )
      ).body.id;
    });
    expect(created).toEqual([
      {
        type: 'api_key.created',
        workspace_id: null,
        actor_id: owner.id,
        entity_type: 'api_key',
        entity_id: keyId,
      },
    ]);
    const revoked = await eventsOf(() =>
      expectOk(t.call('DELETE', `/api/actors/me/api-keys/${keyId}`, { key: owner.key }), 200),
    );
    expect(revoked).toMatchObject([{ type: 'api_key.revoked', entity_id: keyId }]);

    const deleted = await eventsOf(() =>
      expectOk(t.call('DELETE', `/api/workspaces/${ws}`, { key: owner.key }), 204),
    );
    expect(deleted).toMatchObject([
      { type: 'workspace.deleted', workspace_id: null, entity_type: 'workspace', entity_id: ws },
    ]);

    // Everything the kernel recorded (that survived the deletion) is a type it declares.
    const declaredByExtensions = new Set(
      t.kernel.services.registry!.extensions.flatMap((extension) => extension.manifest.events ?? []),
    );
    const recorded = await t.testDatabase.database.query<{ type: string }>(
      'select distinct type from events',
    );
    const kernelTypes = recorded.map((row) => row.type).filter((type) => !declaredByExtensions.has(type));
    expect(kernelTypes.length).toBeGreaterThanOrEqual(5);
    for (const type of kernelTypes) expect(KERNEL_EVENT_TYPES.has(type), type).toBe(true);
  });

  it('a rejected mutation writes no event', async () => {
    const owner = await t.signup('Rejected');
    const ws = owner.workspaceId;
    const rejected = [
      () => t.call('DELETE', `/api/workspaces/${ws}/members/${owner.actorId}`, { key: owner.key }),
      () =>
        t.call('PATCH', `/api/workspaces/${ws}/members/${owner.actorId}`, {
          key: owner.key,
          body: { role: 'viewer' },
        }),
      () =>
        t.call('POST', `/api/workspaces/${ws}/members`, {
          key: owner.key,
          body: { actor_id: owner.actorId, role: 'viewer' },
        }),
      () => t.call('POST', '/api/actors/signup', { body: { name: 'Again', email: owner.email } }),
      () => t.call('PATCH', `/api/workspaces/${ws}`, { key: owner.key, body: {} }),
    ];
    for (const attempt of rejected) {
      let status = 0;
      const written = await eventsOf(async () => {
        status = (await attempt()).status;
      });
      expect(status).toBeGreaterThanOrEqual(400);
      expect(written).toEqual([]);
    }
  });

  it('a mutation that fails after writing leaves neither its rows nor its event', async () => {
    const user = await t.signup('Rollback');
    const written = await eventsOf(async () => {
      const result = await t.call('POST', '/api/test-errors/create-then-fail', {
        key: user.key,
        body: { name: 'Never committed' },
      });
      expectEnvelope(result, 500, 'INTERNAL');
    });
    expect(written).toEqual([]);
    const rows = await t.testDatabase.database.query(
      "select id from workspaces where name = 'Never committed'",
    );
    expect(rows).toEqual([]);
  });
});
