/**
 * The extension conformance suite. `runConformance(subjects)` registers vitest
 * checks for each subject extension, against one real kernel booted on a fresh
 * database with the subjects (and `alongside`, e.g. what they require):
 *
 * - the manifest is valid and the extension started (`ready` in the catalog);
 * - every route appears in the OpenAPI document, attributed to the extension;
 * - every route requires an API key unless its definition declares it public;
 * - no workspace-scoped route answers a non-member (404 NOT_FOUND);
 * - in a workspace where it is disabled, every workspace-scoped route answers 404
 *   EXTENSION_NOT_ENABLED naming it;
 * - every route has its own method and path and a summary; every tool a description of
 *   at least MIN_TOOL_DESCRIPTION characters; every route a description, written once:
 *   its tool's (which becomes the operation's) or, without a tool, the route's own; third-party event types carry the
 *   extension's namespace; declared error codes are on every operation in OpenAPI;
 * - its MCP tools are listed (each with a description and an object input schema) in a
 *   workspace where it is enabled, and neither listed nor callable where it is not;
 * - its migrations applied on the empty database, and applying them again is a no-op;
 * - `{}` is valid settings, and an invalid value is refused with 400, storing nothing.
 *
 * Path parameters are filled with random uuids (the workspace parameter with the
 * workspace under test); JSON bodies are `{}`, since every check above is decided
 * before the body is validated.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema, type RouteDefinition } from '../../kernel/contract/index.ts';
import { MIN_TOOL_DESCRIPTION } from '../../kernel/registry/contribution-checks.ts';
import { isInNamespace, namespaceOf } from '../../kernel/registry/namespace.ts';
import { type ExtensionRuntime, migrateExtension } from '../../kernel/registry/registry.ts';
import type { InstalledExtension } from '../../kernel/registry/resolve-extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { callTool, connectMcp } from '../mcp/mcp-clients.ts';
import { invalidSettingsFor } from './settings-probe.ts';

type User = Awaited<ReturnType<TestKernel['signup']>>;

export interface ConformanceOptions {
  /** Installed too but not checked: typically what the subjects require. */
  alongside?: InstalledExtension[];
}

interface RouteRequest {
  method: string;
  path: string;
  /** The OpenAPI path (with `{param}` placeholders). */
  documentPath: string;
  body: unknown;
  workspaceScoped: boolean;
  isPublic: boolean;
}

function requestFor(definition: RouteDefinition, mountPath: string, workspaceId: string): RouteRequest {
  const { route, access } = definition;
  const relative = route.path === '/' ? '' : route.path;
  const workspaceParam = access.auth === 'workspace' ? access.workspaceParam : undefined;
  const filled = relative.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === workspaceParam ? workspaceId : randomUUID(),
  );
  const content = route.request?.body?.content as Record<string, unknown> | undefined;
  return {
    method: route.method.toUpperCase(),
    path: `${mountPath}${filled}`,
    documentPath: `${mountPath}${relative}`,
    body: content && 'application/json' in content ? {} : undefined,
    workspaceScoped: access.auth === 'workspace',
    isPublic: access.auth === 'public',
  };
}

export function runConformance(
  subjects: InstalledExtension | InstalledExtension[],
  options: ConformanceOptions = {},
): void {
  const list = Array.isArray(subjects) ? subjects : [subjects];
  let t: TestKernel;
  let document: any;

  beforeAll(async () => {
    t = await createTestKernel({ extensions: [...list, ...(options.alongside ?? [])] });
    document = (await t.call('GET', '/openapi.json')).body;
  });
  afterAll(() => t?.close());

  for (const subject of list) {
    const { manifest } = subject.definition;
    const id = manifest.id;

    describe(`extension "${id}" conforms`, () => {
      let runtime: ExtensionRuntime;
      let member: User;
      let stranger: User;
      let outsider: User;

      const registry = () => t.kernel.services.registry!;
      const put = (user: User, extension: string, body: unknown) =>
        t.call('PUT', `/api/workspaces/${user.workspaceId}/extensions/${extension}`, { key: user.key, body });
      const requests = (workspaceId: string) =>
        (runtime.contributions.routes ?? []).map((route) =>
          requestFor(route, runtime.mountPath, workspaceId),
        );
      const send = (request: RouteRequest, user: User | undefined, workspaceId?: string) =>
        t.call(request.method, request.path, {
          key: user?.key,
          workspace: request.workspaceScoped ? workspaceId : undefined,
          body: request.body,
        });

      /** Disables the extension in the user's workspace, after whatever requires it. */
      const disable = async (user: User, extension: string): Promise<void> => {
        for (const dependent of registry().dependentsOf(extension)) await disable(user, dependent.id);
        const response = await put(user, extension, { enabled: false });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
      };

      beforeAll(async () => {
        runtime = registry().get(id)!;
        member = await t.signup(`Member of ${id}`);
        stranger = await t.signup(`Stranger to ${id}`);
        outsider = await t.signup(`Without ${id}`);
        const enabled = await put(member, id, { enabled: true, enable_requires: true });
        expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
      });

      it('has a valid manifest and started', async () => {
        expect(manifestSchema.safeParse(manifest).success).toBe(true);
        expect(manifest.settings?.safeParse({}).success ?? true).toBe(true);
        // A folder-discovered extension lives in a folder named after its id.
        if (subject.dir && subject.source === subject.dir) expect(basename(subject.dir)).toBe(id);
        const catalog = await t.call('GET', '/api/extensions', { key: member.key });
        const entry = catalog.body.items.find((item: { id: string }) => item.id === id);
        expect({ status: entry.status, failure: entry.failure }).toEqual({ status: 'ready', failure: null });
      });

      it('documents every route in the OpenAPI document', () => {
        for (const request of requests(member.workspaceId)) {
          const operation = document.paths[request.documentPath]?.[request.method.toLowerCase()];
          expect(operation, `${request.method} ${request.documentPath}`).toBeDefined();
          expect(operation['x-maskin-extension']).toBe(id);
          if (request.isPublic) expect(operation.security).toEqual([]);
        }
      });

      it('gives every route a distinct method and path and a summary, every tool a real description', () => {
        const routes = runtime.contributions.routes ?? [];
        const keys = routes.map((r) => `${r.route.method.toUpperCase()} ${r.route.path}`);
        expect(new Set(keys).size, keys.join(', ')).toBe(keys.length);
        for (const [index, definition] of routes.entries()) {
          expect(definition.route.summary?.trim(), keys[index]).toBeTruthy();
        }
        const tools = [
          ...routes.flatMap((r) => (r.tool ? [r.tool] : [])),
          ...(runtime.contributions.tools ?? []),
        ];
        for (const tool of tools) {
          // Counted on the author's text, before the kernel appends its role/HTTP suffix.
          expect(tool.description.trim().length, tool.name).toBeGreaterThanOrEqual(MIN_TOOL_DESCRIPTION);
        }
      });

      it('describes every route once: the tool description, or the route description without a tool', () => {
        for (const definition of runtime.contributions.routes ?? []) {
          const key = `${definition.route.method.toUpperCase()} ${definition.route.path}`;
          const own = definition.route.description?.trim();
          if (definition.tool)
            expect(
              own,
              `${key}: the tool description is the operation's; drop route.description`,
            ).toBeFalsy();
          else expect(own, `${key}: add route.description (people read it on /docs)`).toBeTruthy();
        }
      });

      it('names its event types in its namespace (third-party) and documents its error codes', () => {
        if (subject.tier === 'third-party') {
          for (const type of manifest.events ?? []) {
            expect(isInNamespace(type.split('.')[0]!, namespaceOf(id)), type).toBe(true);
          }
        }
        const declared = manifest.errors ?? {};
        for (const request of requests(member.workspaceId)) {
          const operation = document.paths[request.documentPath]?.[request.method.toLowerCase()];
          if (Object.keys(declared).length === 0) continue;
          expect(operation['x-maskin-error-codes'], request.documentPath).toEqual(declared);
          for (const [code, { status }] of Object.entries(declared)) {
            expect(operation.responses[String(status)]?.description, code).toContain(code);
          }
        }
      });

      it('requires an API key on every route not declared public', async () => {
        for (const request of requests(member.workspaceId)) {
          if (request.isPublic) continue;
          const response = await send(request, undefined, member.workspaceId);
          expect(response.status, `${request.method} ${request.path}`).toBe(401);
        }
      });

      it('answers a non-member of the workspace 404 on every workspace-scoped route', async () => {
        for (const request of requests(member.workspaceId)) {
          if (!request.workspaceScoped) continue;
          const response = await send(request, stranger, member.workspaceId);
          expect(response.status, `${request.method} ${request.path}`).toBe(404);
          expect(response.body.error.code).toBe('NOT_FOUND');
        }
      });

      it.skipIf(manifest.enablement === 'always')(
        'answers 404 EXTENSION_NOT_ENABLED on every workspace-scoped route when disabled',
        async () => {
          await disable(outsider, id);
          for (const request of requests(outsider.workspaceId)) {
            if (!request.workspaceScoped) continue;
            const response = await send(request, outsider, outsider.workspaceId);
            expect(response.status, `${request.method} ${request.path}`).toBe(404);
            expect(response.body.error.code).toBe('EXTENSION_NOT_ENABLED');
            expect(response.body.error.message).toContain(`"${id}"`);
          }
        },
      );

      it.skipIf(manifest.enablement === 'always')(
        'lists its MCP tools where enabled, and neither lists nor runs them where disabled',
        async () => {
          const catalog = await t.call('GET', '/api/extensions', { key: member.key });
          const names: string[] = catalog.body.items.find((item: { id: string }) => item.id === id).tools;
          const inProcess = (url: string | URL, init?: RequestInit) =>
            Promise.resolve(t.kernel.app.request(url, init));
          const enabledClient = await connectMcp(
            'http://maskin.test',
            { key: member.key, workspace: member.workspaceId },
            inProcess,
          );
          const disabledClient = await connectMcp(
            'http://maskin.test',
            { key: outsider.key, workspace: outsider.workspaceId },
            inProcess,
          );
          try {
            const listed = (await enabledClient.listTools()).tools;
            for (const name of names) {
              const tool = listed.find((candidate) => candidate.name === name);
              expect(tool, name).toBeDefined();
              expect(tool!.description?.length ?? 0, name).toBeGreaterThan(20);
              expect(tool!.inputSchema.type, name).toBe('object');
            }
            await disable(outsider, id);
            const hidden = (await disabledClient.listTools()).tools.map((tool) => tool.name);
            for (const name of names) {
              expect(hidden, name).not.toContain(name);
              const outcome = await callTool(disabledClient, name, {});
              expect(outcome.isError, name).toBe(true);
              expect(outcome.body.error.code, name).toBe('EXTENSION_NOT_ENABLED');
            }
          } finally {
            await enabledClient.close();
            await disabledClient.close();
          }
        },
      );

      it('applied its migrations on the empty database, and applying them again is a no-op', async () => {
        const database = t.kernel.services.database;
        const again = await migrateExtension(database, subject);
        expect(again.applied).toEqual([]);
        const ledger = await database.query<{ name: string }>(
          'select name from maskin_migrations where owner = $1 order by name',
          [id],
        );
        // Every file of its folder was recorded by the boot on this fresh database.
        expect(ledger.map((row) => row.name)).toEqual(again.skipped);
      });

      it('accepts {} as settings', async () => {
        const response = await put(member, id, { settings: {} });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
      });

      const invalid = invalidSettingsFor(manifest.settings);
      it.skipIf(invalid === undefined)(
        `refuses invalid settings with 400 and stores nothing: ${JSON.stringify(invalid)}`,
        async () => {
          const list = () =>
            t.call('GET', `/api/workspaces/${member.workspaceId}/extensions`, { key: member.key });
          const before = (await list()).body.items.find((item: { id: string }) => item.id === id);
          const response = await put(member, id, { settings: invalid });
          expect(response.status).toBe(400);
          expect(response.body.error.code).toBe('VALIDATION_ERROR');
          expect(response.body.error.details.length).toBeGreaterThan(0);
          const after = (await list()).body.items.find((item: { id: string }) => item.id === id);
          expect(after).toEqual(before);
        },
      );
    });
  }
}
