/**
 * Building blocks for registry tests: wrap a definition as an installed extension
 * (what discovery produces), and define tiny extensions inline, each with one
 * workspace-scoped GET route that reports its id and effective settings.
 */
import {
  createRoute,
  type Db,
  defineExtension,
  defineRoute,
  type Enablement,
  type ExtensionDefinition,
  jsonResponse,
  type ServiceRef,
  type ToolDefinition,
  workspaceOf,
  z,
} from '../../kernel/contract/index.ts';
import type { InstalledExtension, Tier } from '../../kernel/registry/resolve-extensions.ts';

export function installed(
  definition: ExtensionDefinition,
  options: { tier?: Tier; source?: string; dir?: string } = {},
): InstalledExtension {
  return {
    definition,
    tier: options.tier ?? 'third-party',
    source: options.source ?? `test:${definition.manifest.id}`,
    dir: options.dir,
  };
}

export interface HookCall {
  hook: 'onEnabled' | 'onDisabled';
  extension: string;
  workspaceId: string;
  settings: unknown;
}

export interface TinyOptions {
  id: string;
  enablement?: Enablement;
  requires?: string[];
  mounts?: string[];
  kernel?: string;
  settings?: z.ZodType;
  /** MCP tool name of the GET route. */
  tool?: string;
  /** Extra hand-written tools. */
  tools?: ToolDefinition[];
  /** OpenAPI component name of the response schema (and a field that makes it distinct). */
  component?: { name: string; field: string };
  deps?: Record<string, ServiceRef<unknown>>;
  provides?: ServiceRef<unknown>;
  /** Declared event types. */
  events?: string[];
  /** Thrown from setup: the extension fails to start. */
  fail?: string;
  /** Receives each workspace hook call. */
  hooks?: HookCall[];
}

/** A one-route extension; its GET / answers `{ extension, settings }`. */
export function tinyExtension(options: TinyOptions): ExtensionDefinition {
  const { id } = options;
  const field = options.component?.field ?? 'extension';
  let response: z.ZodType = z.object({ [field]: z.string(), settings: z.unknown() });
  if (options.component) response = response.openapi(options.component.name);
  return defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: options.kernel ?? '^1.0.0',
      description: `Test extension ${id}`,
      enablement: options.enablement ?? 'opt-in',
      requires: options.requires,
      mounts: options.mounts,
      settings: options.settings,
      events: options.events,
    },
    deps: options.deps,
    provides: options.provides as ServiceRef<unknown> | undefined,
    setup({ settings }) {
      if (options.fail) throw new Error(options.fail);
      const record =
        (hook: HookCall['hook']) => async (context: { tx: Db; workspaceId: string; settings: unknown }) => {
          options.hooks?.push({
            hook,
            extension: id,
            workspaceId: context.workspaceId,
            settings: context.settings,
          });
        };
      return {
        service: options.provides ? { id } : undefined,
        routes: [
          defineRoute({
            access: { auth: 'workspace', role: 'viewer' },
            ...(options.tool
              ? {
                  tool: {
                    name: options.tool,
                    description: `Reads the id and effective settings of extension ${id}`,
                    annotations: { readOnlyHint: true },
                  },
                }
              : {}),
            route: createRoute({
              method: 'get',
              path: '/',
              summary: `The id and settings of ${id}`,
              responses: { 200: jsonResponse(response, 'The extension and its settings') },
            }),
            handler: async (c) =>
              c.json({ [field]: id, settings: await settings(workspaceOf(c).id) } as never, 200),
          }),
        ],
        tools: options.tools,
        onEnabled: record('onEnabled'),
        onDisabled: record('onDisabled'),
      };
    },
  });
}
