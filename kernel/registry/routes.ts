/** /api/extensions (the installed catalog) and /api/workspaces/{id}/extensions (enablement). */
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { configVariables } from '../capabilities/installation-config.ts';
import { authOf, workspaceOf } from '../contract/context.ts';
import { defineRoute, errorResponses, jsonBody, jsonResponse } from '../contract/route.ts';
import type { Database } from '../db/database.ts';
import { workspaces } from '../db/schema.ts';
import { workspaceIdParam } from '../workspaces/schemas.ts';
import type { ExtensionRegistry } from './registry.ts';
import type { WorkspaceExtensions } from './workspace-extensions.ts';

const tags = ['Extensions'];

/**
 * The MCP tool names of these routes. The registry checks extension tools against
 * the kernel's before these routes are built (they need the booted registry), so
 * the names live here where both can read them.
 */
export const REGISTRY_TOOL_NAMES = {
  catalog: 'list_extensions',
  list: 'list_workspace_extensions',
  configure: 'configure_extension',
  describe: 'describe_workspace',
} as const;

const catalogEntry = z
  .object({
    id: z.string(),
    version: z.string(),
    description: z.string(),
    tier: z.enum(['core', 'third-party']),
    mount_path: z.string(),
    requires: z.array(z.string()),
    enablement: z.enum(['always', 'default-on', 'opt-in']),
    status: z.enum(['ready', 'failed']),
    failure: z.string().nullable(),
    tools: z.array(z.string()),
    events: z.array(z.string()),
    settings_schema: z.record(z.string(), z.unknown()),
    config_variables: z
      .array(z.string())
      .openapi({ description: 'Environment variables of its installation config (names only)' }),
  })
  .openapi('ExtensionCatalogEntry');

const workspaceExtension = z
  .object({
    id: z.string(),
    enabled: z.boolean(),
    enablement: z.enum(['always', 'default-on', 'opt-in']),
    status: z.enum(['ready', 'failed']),
    mount_path: z.string(),
    requires: z.array(z.string()),
    settings: z.record(z.string(), z.unknown()),
    secrets: z
      .record(z.string(), z.object({ set: z.boolean() }))
      .openapi({ description: 'Each declared secret and whether it is set; values are write-only' }),
  })
  .openapi('WorkspaceExtension');

/** A malformed config already failed the extension at boot; the catalog then lists none. */
function configVariableNames(extensionId: string, schema: z.ZodType | undefined): string[] {
  try {
    return Object.values(configVariables(extensionId, schema));
  } catch {
    return [];
  }
}

export function catalogRoutes(registry: ExtensionRegistry) {
  return [
    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: REGISTRY_TOOL_NAMES.catalog,
        description:
          'Lists every extension installed on this server: what it does, its status, the tools and event types it contributes, and its settings schema.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'The installed extensions',
        responses: {
          200: jsonResponse(z.object({ items: z.array(catalogEntry) }), 'Catalog'),
          ...errorResponses,
        },
      }),
      handler: (c) =>
        c.json(
          {
            items: registry.extensions.map((e) => ({
              id: e.id,
              version: e.manifest.version,
              description: e.manifest.description,
              tier: e.tier,
              mount_path: e.mountPath,
              requires: e.manifest.requires ?? [],
              enablement: e.manifest.enablement,
              status: e.status,
              failure: e.failure ?? null,
              tools: e.toolNames,
              events: e.manifest.events ?? [],
              settings_schema: registry.settingsJsonSchema(e.id) as Record<string, unknown>,
              config_variables: configVariableNames(e.id, e.manifest.config),
            })),
          },
          200,
        ),
    }),
  ];
}

const workspaceDescription = z
  .object({
    workspace: z.object({ id: z.string().uuid(), name: z.string(), role: z.string() }),
    extensions: z.array(
      z.object({
        id: z.string(),
        description: z.string(),
        mount_path: z.string(),
        tools: z.array(z.string()),
        events: z.array(z.string()),
        settings: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('WorkspaceDescription');

const DESCRIBE_TEXT =
  "Everything an agent needs before working in a workspace, in one call: the workspace and your role in it, and each extension enabled and running here with what it does, its tools, its event types and its effective settings. The object types with their statuses (the first is the default) and custom fields are the `objects` extension's settings (`types`); the relationship types are the `relationships` extension's (`relationship_types`). Call it first instead of learning them from validation errors.";

export function workspaceExtensionRoutes(
  database: Database,
  extensions: WorkspaceExtensions,
  registry: ExtensionRegistry,
) {
  const byWorkspace = 'workspace_id';
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member', workspaceParam: byWorkspace },
      tool: {
        name: REGISTRY_TOOL_NAMES.describe,
        description: DESCRIBE_TEXT,
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{workspace_id}/description',
        tags,
        summary:
          'The workspace at a glance: your role, enabled extensions, object types, statuses, relationship types',
        request: { params: workspaceIdParam },
        responses: {
          200: jsonResponse(workspaceDescription, 'The workspace'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const { id, role } = workspaceOf(c);
        const [row] = await database.db
          .select({ name: workspaces.name })
          .from(workspaces)
          .where(eq(workspaces.id, id));
        const enabled = (await extensions.list(id)).filter((e) => e.enabled && e.status === 'ready');
        return c.json(
          {
            workspace: { id, name: row?.name ?? '', role },
            extensions: enabled.map((e) => {
              const runtime = registry.get(e.id)!;
              return {
                id: e.id,
                description: runtime.manifest.description,
                mount_path: e.mount_path,
                tools: runtime.toolNames,
                events: runtime.manifest.events ?? [],
                settings: e.settings,
              };
            }),
          },
          200,
        );
      },
    }),
    defineRoute({
      // Settings are for members: viewers do not read how a workspace is configured.
      access: { auth: 'workspace', role: 'member', workspaceParam: byWorkspace },
      tool: {
        name: REGISTRY_TOOL_NAMES.list,
        description:
          'Lists the extensions of a workspace: which are enabled, their effective settings, and which secret settings are set (never their values).',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{workspace_id}/extensions',
        tags,
        summary: 'Extensions of a workspace: enabled or not, with effective settings',
        request: { params: workspaceIdParam },
        responses: {
          200: jsonResponse(z.object({ items: z.array(workspaceExtension) }), 'Extensions'),
          ...errorResponses,
        },
      }),
      handler: async (c) => c.json({ items: await extensions.list(workspaceOf(c).id) }, 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin', workspaceParam: byWorkspace },
      tool: {
        name: REGISTRY_TOOL_NAMES.configure,
        description:
          'Enables or disables an extension in a workspace and/or replaces its settings and sets or clears (null) its secret settings (admin). Set enable_requires to also enable what it needs.',
        annotations: { idempotentHint: true },
      },
      // The body may carry secret settings: an idempotency record would keep a hash of
      // them for 24 h (guessable for a weak secret). PUT is idempotent by itself.
      policy: { idempotency: false },
      route: createRoute({
        method: 'put',
        path: '/{workspace_id}/extensions/{extension_id}',
        tags,
        summary: 'Enable, disable or configure an extension in the workspace (admin)',
        request: {
          params: workspaceIdParam.extend({ extension_id: z.string().max(40) }),
          body: jsonBody(
            z
              .object({
                enabled: z.boolean().optional(),
                settings: z.record(z.string(), z.unknown()).optional(),
                secrets: z.record(z.string(), z.unknown()).optional().openapi({
                  description:
                    'Secret settings to set ({"key": value}) or clear ({"key": null}); write-only, never returned',
                }),
                enable_requires: z.boolean().default(false),
              })
              .refine(
                (b) => b.enabled !== undefined || b.settings !== undefined || b.secrets !== undefined,
                'Send enabled, settings and/or secrets',
              ),
          ),
        },
        responses: {
          200: jsonResponse(workspaceExtension, 'The extension in this workspace'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const workspaceId = workspaceOf(c).id;
        const result = await database.db.transaction((tx) =>
          extensions.change(tx, {
            workspaceId,
            actorId: authOf(c).actor.id,
            extensionId: c.req.valid('param').extension_id,
            enabled: body.enabled,
            settings: body.settings,
            secrets: body.secrets,
            enableRequires: body.enable_requires,
          }),
        );
        // read-your-writes in this process: the caller's next request sees the change
        extensions.forget(workspaceId);
        return c.json(result, 200);
      },
    }),
  ];
}
