/**
 * The mistakes an extension author makes, each refused at boot with a message that
 * names the place and the fix: a route shadowed by another, a route without a
 * summary, a tool an agent cannot choose, event types outside the namespace, error
 * codes taken from the kernel or declared twice with different statuses, migrations
 * outside the namespace. Strict mode (MASKIN_STRICT_EXTENSIONS) turns any failed
 * extension into a failed start. All cases boot the real kernel on one database.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRoute,
  defineExtension,
  defineRoute,
  type ExtensionDefinition,
  type ExtensionEvents,
  errorResponses,
  eventsRef,
  extensionError,
  jsonResponse,
  type RouteDefinition,
  z,
} from '../../kernel/contract/index.ts';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import type { InstalledExtension } from '../../kernel/registry/resolve-extensions.ts';
import { installed, tinyExtension } from '../helpers/extensions.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { createTestKernel, testConfig } from '../helpers/test-kernel.ts';

let testDatabase: TestDatabase;
const folders: string[] = [];
beforeAll(async () => {
  testDatabase = await createTestDatabase();
});
afterAll(async () => {
  await testDatabase?.drop();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const boot = (extensions: InstalledExtension[], env: Record<string, string> = {}) =>
  createKernel({
    config: testConfig(env),
    database: testDatabase.database,
    logger: createLogger('silent'),
    extensions,
  });

async function bootError(extensions: InstalledExtension[], env: Record<string, string> = {}) {
  let kernel: Kernel | undefined;
  try {
    kernel = await boot(extensions, env);
  } catch (error) {
    return (error as Error).message;
  }
  await kernel.close();
  throw new Error('boot succeeded, but it should have failed');
}

/** Boots (not strict) and returns why the extension failed. */
async function failureOf(extension: InstalledExtension): Promise<string | undefined> {
  const kernel = await boot([extension]);
  try {
    return kernel.services.registry!.get(extension.definition.manifest.id)!.failure;
  } finally {
    await kernel.close();
  }
}

const ok = { 200: jsonResponse(z.object({ ok: z.boolean() }), 'Done'), ...errorResponses };

function route(options: {
  path?: string;
  summary?: string;
  tool?: { name: string; description: string };
  /** Throws instead of answering 200. */
  throws?: () => never;
}): RouteDefinition {
  return defineRoute({
    access: { auth: 'workspace', role: 'viewer' },
    ...(options.tool ? { tool: options.tool } : {}),
    route: createRoute({
      method: 'get',
      path: options.path ?? '/',
      ...(options.summary === undefined ? {} : { summary: options.summary }),
      responses: ok,
    }),
    handler: (c) => {
      options.throws?.();
      return c.json({ ok: true }, 200);
    },
  });
}

function withRoutes(
  id: string,
  routes: RouteDefinition[],
  manifest: { errors?: Record<string, { status: number; description: string }> } = {},
): ExtensionDefinition {
  return defineExtension({
    manifest: { id, version: '1.0.0', kernel: '^1.0.0', description: id, enablement: 'opt-in', ...manifest },
    setup: () => ({ routes }),
  });
}

describe('an extension fails to start', () => {
  it('with two routes of the same method and path, naming both', async () => {
    const failure = await failureOf(
      installed(
        withRoutes('twins', [
          route({ summary: 'First reading' }),
          route({ path: '/other', summary: 'Other' }),
          route({ summary: 'Second reading' }),
        ]),
      ),
    );
    expect(failure).toBe(
      'route #1 ("First reading") and route #3 ("Second reading") are both GET /; the second would never be reached and OpenAPI would describe only one. Remove one or change its path.',
    );
  });

  it('with a route without a summary', async () => {
    expect(await failureOf(installed(withRoutes('mute', [route({ summary: ' ' })])))).toBe(
      'route #1 GET / has no summary; give createRoute a summary (one line: what it does), it titles the operation in OpenAPI.',
    );
  });

  it('with a tool description under 20 characters, counted without the kernel suffix', async () => {
    const terse = route({ summary: 'Read', tool: { name: 'read', description: 'Reads it.' } });
    expect(await failureOf(installed(withRoutes('terse', [terse])))).toBe(
      'MCP tool "read" has a 9-character description; write at least 20 characters for the agent that chooses it: what it does, when to use it, what it returns.',
    );
    const handWritten = tinyExtension({
      id: 'hand',
      tools: [
        {
          name: 'do_it',
          description: '',
          inputSchema: z.object({}),
          access: { auth: 'workspace', role: 'viewer' },
          handler: async () => ({}),
        },
      ],
    });
    expect(await failureOf(installed(handWritten))).toContain(
      'MCP tool "do_it" has a 0-character description',
    );
  });

  it('with a migration outside its namespace, naming the file, the object and the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskin-namespace-'));
    folders.push(dir);
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(
      join(dir, 'migrations', '0001_sessions.sql'),
      'create table sessions (id uuid primary key);',
    );
    const failure = await failureOf(installed(tinyExtension({ id: 'session-log' }), { dir }));
    expect(failure).toBe(
      `Migration ${join(dir, 'migrations', '0001_sessions.sql')} creates table "sessions", outside the namespace of extension "session-log": its tables, indexes, sequences, types, views and functions are named "session_log" or start with "session_log_", and it may alter or drop only those (foreign keys to kernel tables such as actors or workspaces are fine). Rename it, e.g. "session_log_sessions".`,
    );
    const [table] = await testDatabase.database.query(
      "select 1 from information_schema.tables where table_name = 'sessions'",
    );
    expect(table).toBeUndefined();
  });
});

describe('boot stops', () => {
  it('on a third-party event type outside the namespace; core types are free', async () => {
    expect(await bootError([installed(tinyExtension({ id: 'daily-digest', events: ['digest.sent'] }))])).toBe(
      'Extension "daily-digest" declares the event type "digest.sent"; a third-party extension\'s event types start with its namespace "daily_digest" (e.g. "daily_digest.sent" or "daily_digest_digest.sent"). Rename it.',
    );
    const kernel = await boot([
      installed(
        tinyExtension({ id: 'daily-digest', events: ['daily_digest.sent', 'daily_digest_run.done'] }),
      ),
      installed(tinyExtension({ id: 'tasks', events: ['task.done'] }), { tier: 'core' }),
    ]);
    await kernel.close();
  });

  it('on an error code the kernel uses', async () => {
    const extension = withRoutes('mimic', [], {
      errors: { NOT_FOUND: { status: 404, description: 'Nothing here' } },
    });
    expect(await bootError([installed(extension)])).toBe(
      'Extension "mimic" declares the error code "NOT_FOUND", which the kernel already uses. Throw the kernel\'s own (e.g. validationError(), conflict()) or declare a code of your own such as "MIMIC_NOT_FOUND".',
    );
  });

  it('on one error code declared by two extensions with different statuses, naming both', async () => {
    const quota = (id: string, status: number) =>
      installed(withRoutes(id, [], { errors: { QUOTA_EXCEEDED: { status, description: 'Over quota' } } }));
    expect(await bootError([quota('left', 429), quota('right', 403)])).toBe(
      'Error code "QUOTA_EXCEEDED" is declared by extension "left" with status 429 and by extension "right" with status 403. A code means one thing to clients: give them the same status or rename one (e.g. "RIGHT_QUOTA_EXCEEDED").',
    );
    const kernel = await boot([quota('left', 429), quota('right', 429)]);
    await kernel.close();
  });

  it('under MASKIN_STRICT_EXTENSIONS when any extension fails, with a human summary otherwise', async () => {
    const extensions = [
      installed(tinyExtension({ id: 'fine' })),
      installed(tinyExtension({ id: 'broken', fail: 'no license' })),
    ];
    expect(await bootError(extensions, { MASKIN_STRICT_EXTENSIONS: 'true' })).toBe(
      'Extension "broken" failed to start: no license. MASKIN_STRICT_EXTENSIONS is on, so the server does not start; fix it, remove it, or set MASKIN_STRICT_EXTENSIONS=false to run without it.',
    );
    const kernel = await boot(extensions);
    try {
      expect(kernel.services.registry!.summary()).toBe(
        'maskin: 1 extension ready, 1 failed: broken (no license)',
      );
    } finally {
      await kernel.close();
    }
  });
});

describe('declared error codes', () => {
  const errors = {
    QUOTA_EXCEEDED: { status: 429, description: 'The workspace used up its daily digests' },
  } as const;
  const throwing = (id: string) =>
    withRoutes(
      id,
      [
        route({
          path: '/declared',
          summary: 'Throws a declared code',
          throws: () => {
            throw extensionError({ errors }, 'QUOTA_EXCEEDED', 'Only 10 digests a day');
          },
        }),
        route({
          path: '/undeclared',
          summary: 'Throws an undeclared code',
          throws: () => {
            throw extensionError({ errors: { TYPO: { status: 418, description: 'x' } } }, 'TYPO', 'Oops');
          },
        }),
      ],
      { errors },
    );

  it('are answered with their status, listed in OpenAPI; an undeclared one passes with a warning, or is a 500 under strict', async () => {
    for (const strict of [false, true]) {
      const id = `quota-${strict}`;
      const t = await createTestKernel({
        extensions: [installed(throwing(id))],
        env: { MASKIN_STRICT_EXTENSIONS: String(strict) },
      });
      try {
        const user = await t.signup();
        const enabled = await t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/${id}`, {
          key: user.key,
          body: { enabled: true },
        });
        expect(enabled.status).toBe(200);
        const get = (path: string) =>
          t.call('GET', `/api/m/${id}${path}`, { key: user.key, workspace: user.workspaceId });
        const declared = await get('/declared');
        expect({ status: declared.status, body: declared.body }).toEqual({
          status: 429,
          body: { error: { code: 'QUOTA_EXCEEDED', message: 'Only 10 digests a day' } },
        });
        const undeclared = await get('/undeclared');
        expect(undeclared.status).toBe(strict ? 500 : 418);
        expect(undeclared.body.error.code).toBe(strict ? 'INTERNAL' : 'TYPO');
        if (strict) expect(undeclared.body.error.message).toContain('undeclared error code "TYPO"');

        const document = (await t.call('GET', '/openapi.json')).body;
        const operation = document.paths[`/api/m/${id}/declared`].get;
        expect(operation['x-maskin-error-codes']).toEqual(errors);
        expect(operation.responses['429'].description).toBe(
          'QUOTA_EXCEEDED: The workspace used up its daily digests',
        );
      } finally {
        await t.close();
      }
    }
  });
});

describe('events.record is typed from the manifest', () => {
  it('refuses an undeclared type at compile time (tsc), and still at runtime', async () => {
    let events: ExtensionEvents<'typed.created'> | undefined;
    const typed = defineExtension({
      manifest: {
        id: 'typed',
        version: '1.0.0',
        kernel: '^1.0.0',
        description: 'typed',
        enablement: 'opt-in',
        events: ['typed.created'],
      },
      deps: { events: eventsRef },
      setup({ deps }) {
        events = deps.events;
        return {};
      },
    });
    const t = await createTestKernel({ extensions: [installed(typed)] });
    try {
      const { db } = t.kernel.services.database;
      const event = { workspaceId: null, actorId: null, entityType: 'typed' };
      await db.transaction((tx) => events!.record(tx, { ...event, type: 'typed.created' }));
      await expect(
        // @ts-expect-error 'typed.deleted' is not in the manifest's events
        db.transaction((tx) => events!.record(tx, { ...event, type: 'typed.deleted' })),
      ).rejects.toThrow('recorded event type "typed.deleted", which its manifest does not declare');
    } finally {
      await t.close();
    }
  });
});
