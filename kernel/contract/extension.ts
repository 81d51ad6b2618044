/**
 * defineExtension: the one way in for an extension. An extension is a manifest
 * (data, validated when defined and again at boot) plus a setup function that
 * receives its typed dependencies and returns what it contributes. The kernel owns
 * every prefix, so routes are relative; it builds the routes once at boot and gates
 * them per workspace on each request.
 */
import semver from 'semver';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { KernelContext } from './context.ts';
import type { ExtensionPoint, ExtensionPointReader, RegisterContext } from './extension-point.ts';
import type { ExtensionEvents, ServiceOf, ServiceRef } from './refs.ts';
import type { Access, RouteDefinition, ToolAnnotations } from './route.ts';
import type { ServiceFactory } from './service-factory.ts';

export const EXTENSION_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/**
 * `entity.action`, or `source.entity.action` for events normalised from an outside
 * system (integrations' providers: `github.pull_request.opened`).
 */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,2}$/;
export const TOOL_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

export type Enablement = 'always' | 'default-on' | 'opt-in';

export const manifestSchema = z.object({
  id: z
    .string()
    .max(40)
    .regex(
      EXTENSION_ID_PATTERN,
      'must be kebab-case: lowercase letters and digits separated by single dashes',
    ),
  version: z.string().refine((v) => semver.valid(v) !== null, 'must be a semver version such as 1.2.0'),
  kernel: z.string().refine((v) => semver.validRange(v) !== null, 'must be a semver range such as ^1.0.0'),
  description: z.string().min(1).max(500),
  requires: z.array(z.string().regex(EXTENSION_ID_PATTERN)).default([]),
  mounts: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a single lowercase path segment'))
    .max(1, 'an extension owns at most one mount')
    .optional(),
  enablement: z.enum(['always', 'default-on', 'opt-in']),
  settings: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'must be a zod schema').optional(),
  events: z
    .array(z.string().regex(EVENT_TYPE_PATTERN, 'must look like entity.action (or source.entity.action)'))
    .default([]),
  secrets: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'must be a zod schema').optional(),
  config: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'must be a zod schema').optional(),
  errors: z
    .record(
      z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'error codes are UPPER_SNAKE_CASE'),
      z.object({ status: z.number().int().min(400).max(599), description: z.string().min(1).max(500) }),
    )
    .default({}),
});

export interface ExtensionManifest<
  Settings extends z.ZodType = z.ZodType,
  EventType extends string = string,
> {
  /** kebab-case, unique: URL segment, migration namespace, tool prefix (third-party), event prefix. */
  id: string;
  version: string;
  /** The kernel versions it supports (semver range). */
  kernel: string;
  description: string;
  /** Extensions that must be installed, and enabled in a workspace before this one. */
  requires?: string[];
  /** Core extensions only: the single `/api/<mount>` segment it owns. Third-party: `/api/m/<id>`. */
  mounts?: string[];
  enablement: Enablement;
  /** Per-workspace settings; every field needs a default so `{}` is valid. */
  settings?: Settings;
  /**
   * Event types this extension records (`entity.action`). Recording any other type is an
   * error. Third-party types start with the id in snake case (`time_tracking.logged`).
   */
  events?: EventType[];
  /**
   * Per-workspace secret settings (API tokens, webhook URLs): write-only through the
   * API, encrypted at rest, never in events or logs. Every field optional.
   */
  secrets?: z.ZodType;
  /** Per-installation configuration read from environment variables at boot. */
  config?: z.ZodType;
  /** Error codes this extension answers with, and their HTTP status (documented in OpenAPI). */
  errors?: Record<string, { status: number; description: string }>;
}

/** Context of a hand-written MCP tool call: the caller, resolved by the kernel. */
export interface ToolCallContext {
  actorId: string;
  workspaceId: string;
  /** Calls any route of the composed API in-process with the caller's credentials. */
  callApi(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** A hand-written MCP tool for composite operations; single operations are routes with `tool`. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: z.ZodObject;
  annotations?: ToolAnnotations;
  access: Extract<Access, { auth: 'workspace' }>;
  handler(args: Record<string, unknown>, context: ToolCallContext): Promise<unknown>;
}

/**
 * Maps a browser's request (its own cookie, typically) to the id of an API key; the
 * kernel then treats the request as that key's. Asked only when the request has no
 * Authorization header. Return undefined when the request carries no session of yours.
 */
export interface AuthProvider {
  id: string;
  authenticate(request: Request): string | undefined | Promise<string | undefined>;
}

/** A GET page under `/x/<extension-id>`; not part of the API or its OpenAPI document. */
export interface PageRoute {
  /** Relative to `/x/<extension-id>`, e.g. `/` or `/settings`; Hono path syntax (`/:id`). */
  path: string;
  /** `actor`: an API key or a browser session (auth providers); no workspace. */
  access: { auth: 'public' } | { auth: 'actor' };
  handler(c: KernelContext): Response | Promise<Response>;
}

/** Pages and static assets for the web console, served at `/x/<extension-id>/...` (GET only). */
export interface PageContributions {
  routes?: PageRoute[];
  /** Folder of static files, public, served below `/x/<extension-id>/` (index.html for `/`). */
  assetsDir?: string | URL;
}

export interface WorkspaceHookContext<SettingsValue> {
  tx: Db;
  workspaceId: string;
  actorId: string | null;
  settings: SettingsValue;
}

export interface ExtensionContributions<Service> {
  routes?: RouteDefinition[];
  tools?: ToolDefinition[];
  /** The value behind this extension's `provides` ref. */
  service?: Service;
  /** Idempotent, no DDL; run inside the enabling/disabling transaction. */
  onEnabled?(context: WorkspaceHookContext<any>): Promise<void>;
  onDisabled?(context: WorkspaceHookContext<any>): Promise<void>;
  /**
   * Runs in the transaction that changes this extension's settings in a workspace,
   * after they passed the schema and before anything is committed: throw an ApiError
   * (e.g. `conflict(...)`) to refuse settings that existing data contradicts (a type
   * still in use). `settings` and `previous` are effective (defaults applied).
   */
  onSettingsChange?(context: WorkspaceHookContext<any> & { previous: any }): Promise<void>;
  /** Called on shutdown, in reverse dependency order. */
  dispose?(): Promise<void>;
  /**
   * Services built per asking extension (the caller's id bound in, e.g. objects'
   * links), for refs this extension owns besides `provides`. Registered once setup
   * returns; an extension using one must require this one.
   */
  serviceFactories?: ServiceFactory<any>[];
  /** Pages and static assets mounted at `/x/<extension-id>/` (see docs/extensions.md). */
  pages?: PageContributions;
  /** Browser sessions: consulted when a request has no Authorization header. */
  authProviders?: AuthProvider[];
}

type DepRefs = Record<string, ServiceRef<unknown>>;

/** A dependency as setup receives it: the events service narrowed to the declared types. */
type DepOf<Ref, EventType extends string> = Ref extends { readonly id: 'kernel.events' }
  ? ExtensionEvents<EventType>
  : ServiceOf<Ref>;

export interface SetupContext<
  Deps extends DepRefs,
  Settings extends z.ZodType,
  EventType extends string = string,
> {
  deps: { [K in keyof Deps]: DepOf<Deps[K], EventType> };
  manifest: ExtensionManifest<Settings, EventType>;
  /** The effective settings of this extension in a workspace (defaults applied). */
  settings(workspaceId: string): Promise<z.output<Settings>>;
  /**
   * Whether this extension is enabled in a workspace (cached like the route gate). Its
   * routes and tools are gated already; use this in code that runs outside them, such
   * as a hook registered on another extension's service.
   */
  isEnabled(workspaceId: string): Promise<boolean>;
  /** Reads the registrations of the extension points this extension declares (live: read them when used). */
  extensionPoints: ExtensionPointReader;
}

export interface ExtensionDefinition {
  readonly kind: 'maskin-extension';
  readonly manifest: ExtensionManifest;
  readonly deps: DepRefs;
  readonly provides: ServiceRef<unknown> | undefined;
  /** Folder of NNNN_name.sql migrations; defaults to `migrations/` beside the extension's index. */
  readonly migrations: string | undefined;
  /** Extension points this extension owns; others register on them before any setup. */
  readonly extensionPoints: readonly ExtensionPoint<unknown>[];
  /** The registration phase: runs for every extension before any setup. */
  readonly register: ((context: RegisterContext) => void | Promise<void>) | undefined;
  readonly setup: (context: SetupContext<DepRefs, z.ZodType>) => Promise<ExtensionContributions<unknown>>;
}

export class ExtensionDefinitionError extends Error {}

export function defineExtension<
  const Deps extends DepRefs = Record<never, never>,
  Settings extends z.ZodType = z.ZodObject<Record<never, never>>,
  Service = undefined,
  EventType extends string = never,
>(definition: {
  manifest: ExtensionManifest<Settings, EventType>;
  deps?: Deps;
  provides?: ServiceRef<Service>;
  migrations?: string | URL;
  extensionPoints?: readonly ExtensionPoint<any>[];
  register?(context: RegisterContext): void | Promise<void>;
  setup(
    context: SetupContext<Deps, Settings, EventType>,
  ): ExtensionContributions<Service> | Promise<ExtensionContributions<Service>>;
}): ExtensionDefinition {
  const parsed = manifestSchema.safeParse(definition.manifest);
  if (!parsed.success) {
    const id = typeof definition.manifest?.id === 'string' ? definition.manifest.id : '(no id)';
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'manifest'}: ${issue.message}`,
    );
    throw new ExtensionDefinitionError(
      `Extension ${id} has an invalid manifest:\n  ${problems.join('\n  ')}`,
    );
  }
  const settings = definition.manifest.settings;
  if (settings && !settings.safeParse({}).success) {
    throw new ExtensionDefinitionError(
      `Extension ${parsed.data.id} has settings that reject {}: give every settings field a default, so a workspace that never configured it still gets valid settings`,
    );
  }
  if (definition.provides && definition.provides.owner !== parsed.data.id) {
    throw new ExtensionDefinitionError(
      `Extension ${parsed.data.id} provides ${definition.provides.id}, but that ref names ${definition.provides.owner} as its owner`,
    );
  }
  for (const point of definition.extensionPoints ?? []) {
    if (point.owner !== parsed.data.id) {
      throw new ExtensionDefinitionError(
        `Extension ${parsed.data.id} declares the extension point ${point.id}, but that point names ${point.owner} as its owner`,
      );
    }
  }
  const migrations = definition.migrations;
  return Object.freeze({
    kind: 'maskin-extension' as const,
    manifest: { ...definition.manifest, ...parsed.data, settings },
    deps: definition.deps ?? {},
    provides: definition.provides as ServiceRef<unknown> | undefined,
    migrations: migrations instanceof URL ? migrations.pathname : migrations,
    extensionPoints: Object.freeze([...(definition.extensionPoints ?? [])]),
    register: definition.register ? (context: RegisterContext) => definition.register!(context) : undefined,
    setup: async (context: SetupContext<DepRefs, z.ZodType>) =>
      definition.setup(
        context as unknown as SetupContext<Deps, Settings, EventType>,
      ) as ExtensionContributions<unknown>,
  });
}

export function isExtensionDefinition(value: unknown): value is ExtensionDefinition {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'maskin-extension'
  );
}
