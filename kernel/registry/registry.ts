/**
 * The extension registry: boots installed extensions and answers, at runtime,
 * "is this extension enabled here, with which settings".
 *
 * Boot order: resolve (ids, ranges, dependencies, cycles, mounts; see
 * resolve-extensions.ts) -> registration phase (every extension's `register`, adding
 * to the extension points of the extensions it requires; see extension-points.ts)
 * -> migrations of each extension in dependency order -> setup in dependency order
 * -> tool-name checks. An extension whose migrations or
 * setup throw is marked failed (its mount answers 503 with the reason) and so are
 * the extensions that need it; the server keeps running, unless the failed one is
 * `always`. A failed extension's extension-point registrations drop out of every
 * owner's view. Shutdown disposes in reverse order.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LifecycleHub } from '../capabilities/lifecycle-hub.ts';
import type { ExtensionContributions, ExtensionManifest, ToolDefinition } from '../contract/extension.ts';
import { TOOL_NAME_PATTERN } from '../contract/extension.ts';
import { installationConfigRef } from '../contract/installation-config.ts';
import type { RouteDefinition } from '../contract/route.ts';
import type { Database } from '../db/database.ts';
import { MigrationError, readMigrationFolder, runMigrations } from '../db/migrate.ts';
import { namespaceViolations } from '../db/migration-namespace.ts';
import { checkContributions } from './contribution-checks.ts';
import { EnablementStore } from './enablement-store.ts';
import { ExtensionPoints } from './extension-points.ts';
import { namespaceOf } from './namespace.ts';
import {
  ExtensionBootError,
  type InstalledExtension,
  mountPathOf,
  resolveExtensions,
  type Tier,
} from './resolve-extensions.ts';
import type { ServiceContainer } from './service-container.ts';

export interface ExtensionRuntime {
  id: string;
  manifest: ExtensionManifest;
  tier: Tier;
  source: string;
  mountPath: string;
  status: 'ready' | 'failed';
  failure: string | undefined;
  contributions: ExtensionContributions<unknown>;
  /** Final MCP tool names (third-party ones prefixed with the id). */
  toolNames: string[];
}

/** Third-party tools carry their extension's id so they cannot shadow core tools. */
export function qualifiedToolName(extension: { id: string; tier: Tier }, name: string): string {
  return extension.tier === 'core' ? name : `${namespaceOf(extension.id)}_${name}`;
}

function toolsOf(contributions: ExtensionContributions<unknown>): { name: string }[] {
  const fromRoutes = (contributions.routes ?? []).flatMap((route: RouteDefinition) =>
    route.tool ? [route.tool] : [],
  );
  return [...fromRoutes, ...(contributions.tools ?? []).map((tool: ToolDefinition) => ({ name: tool.name }))];
}

/**
 * Applies an extension's migrations: its declared folder, or `migrations/` beside its
 * index. Every file must keep to the extension's namespace (migration-namespace.ts);
 * one that does not is refused before any file runs.
 */
export async function migrateExtension(database: Database, installed: InstalledExtension) {
  const folder =
    installed.definition.migrations ?? (installed.dir ? join(installed.dir, 'migrations') : undefined);
  if (!folder) return { applied: [], skipped: [] };
  const { id } = installed.definition.manifest;
  const files = readMigrationFolder(folder);
  const namespace = namespaceOf(id);
  for (const file of files) {
    const [violation] = namespaceViolations(file.sql, namespace);
    if (violation) {
      throw new MigrationError(
        `Migration ${join(folder, file.name)} ${violation.statement}, outside the namespace of extension "${id}": its tables, indexes, sequences, types, views and functions are named "${namespace}" or start with "${namespace}_", and it may alter or drop only those (foreign keys to kernel tables such as actors or workspaces are fine). Rename it, e.g. "${namespace}_${violation.name.toLowerCase().replace(/^public\./, '')}".`,
      );
    }
  }
  return runMigrations(database, id, files);
}

/** What the registry needs from the kernel to boot extensions. */
export interface RegistryKernel {
  database: Database;
  logger: Logger;
  /** Resolves every extension's deps; receives each extension's `provides`. */
  services: ServiceContainer;
  /** Discards the lifecycle hooks of an extension that fails to start. */
  lifecycle: LifecycleHub;
  /** MASKIN_STRICT_EXTENSIONS: any failed extension stops boot instead of answering 503. */
  strict?: boolean;
}

export class ExtensionRegistry {
  readonly extensions: ExtensionRuntime[] = [];
  private readonly byId = new Map<string, ExtensionRuntime>();
  readonly enablement: EnablementStore;

  private constructor(
    private readonly kernel: RegistryKernel,
    private readonly logger: Logger,
  ) {
    this.enablement = new EnablementStore(kernel.database, (id) => this.byId.get(id)?.manifest.enablement);
  }

  static async boot(installed: InstalledExtension[], kernel: RegistryKernel, kernelToolNames: string[]) {
    const registry = new ExtensionRegistry(kernel, kernel.logger.child({ component: 'registry' }));
    await registry.bootAll(resolveExtensions(installed), kernelToolNames);
    const failed = registry.extensions.filter((e) => e.status === 'failed');
    if (kernel.strict && failed.length > 0) {
      await registry.dispose();
      throw new ExtensionBootError(
        `${failed.map((e) => `Extension "${e.id}" failed to start: ${e.failure}`).join('; ')}. MASKIN_STRICT_EXTENSIONS is on, so the server does not start; fix it, remove it, or set MASKIN_STRICT_EXTENSIONS=false to run without it.`,
      );
    }
    await registry.enablement.start();
    return registry;
  }

  /** One human line for the end of boot: `maskin: 5 extensions ready, 1 failed: foo (reason)`. */
  summary(): string {
    const ready = this.extensions.filter((e) => e.status === 'ready').length;
    const failed = this.extensions.filter((e) => e.status === 'failed');
    const plural = (n: number) => (n === 1 ? 'extension' : 'extensions');
    const head = `maskin: ${ready} ${plural(ready)} ready`;
    if (failed.length === 0) return head;
    return `${head}, ${failed.length} failed: ${failed.map((e) => `${e.id} (${e.failure})`).join(', ')}`;
  }

  get(id: string): ExtensionRuntime | undefined {
    return this.byId.get(id);
  }

  private async bootAll(ordered: InstalledExtension[], kernelToolNames: string[]) {
    for (const installed of ordered) {
      const { manifest } = installed.definition;
      const runtime: ExtensionRuntime = {
        id: manifest.id,
        manifest,
        tier: installed.tier,
        source: installed.source,
        mountPath: mountPathOf(installed),
        status: 'ready',
        failure: undefined,
        contributions: {},
        toolNames: [],
      };
      this.extensions.push(runtime);
      this.byId.set(runtime.id, runtime);
    }
    const points = new ExtensionPoints(
      ordered.map(({ definition }) => ({
        manifest: definition.manifest,
        extensionPoints: definition.extensionPoints,
      })),
      (id) => this.byId.get(id)?.status === 'ready',
    );
    const registerFailures = await this.registerAll(ordered, points);
    for (const installed of ordered) {
      const { manifest } = installed.definition;
      const runtime = this.byId.get(manifest.id)!;
      try {
        const registerFailure = registerFailures.get(manifest.id);
        if (registerFailure) throw registerFailure;
        const failedRequirement = (manifest.requires ?? []).find(
          (id) => this.byId.get(id)?.status === 'failed',
        );
        if (failedRequirement) {
          throw new Error(`it requires "${failedRequirement}", which failed to start`);
        }
        await migrateExtension(this.kernel.database, installed);
        // Validated before setup, whether or not setup asks for it: a missing variable
        // must fail here with its name, not later inside the extension.
        if (manifest.config) await this.kernel.services.get(installationConfigRef, manifest);
        const deps = await this.kernel.services.resolveDeps(installed.definition.deps, manifest);
        runtime.contributions = await installed.definition.setup({
          deps,
          manifest,
          settings: (workspaceId) => this.settingsOf(workspaceId, manifest.id),
          isEnabled: (workspaceId) => this.enablement.isEnabled(workspaceId, manifest.id),
          extensionPoints: { registrations: (point) => points.registrations(manifest, point) },
        });
        checkContributions(runtime.contributions);
        this.provideServices(installed, runtime.contributions);
      } catch (error) {
        this.kernel.lifecycle.discard(manifest.id);
        const reason = error instanceof Error ? error.message : String(error);
        if (manifest.enablement === 'always') {
          throw new ExtensionBootError(
            `Extension "${manifest.id}" is "always" enabled and failed to start: ${reason.replace(/\.$/, '')}. Fix it or uninstall it; the server cannot run without it.`,
          );
        }
        runtime.status = 'failed';
        runtime.failure = reason;
        runtime.contributions = {};
        this.logger.error(
          { extension: manifest.id, reason },
          'extension failed to start; its routes answer 503',
        );
      }
    }
    this.checkToolNames(kernelToolNames);
  }

  /**
   * The registration phase, before any setup. A registration that breaks the rules
   * (owner not required, point not declared) stops boot; any other error in a
   * `register` fails that extension at once (its registrations leave every view),
   * reported when its turn to start comes.
   */
  private async registerAll(ordered: InstalledExtension[], points: ExtensionPoints) {
    const failures = new Map<string, Error>();
    for (const { definition } of ordered) {
      const { manifest, register } = definition;
      if (!register) continue;
      try {
        await register({
          extensionPoints: points.registrarFor(manifest),
          kernelService: (ref) => {
            if (ref.owner !== 'kernel') {
              return Promise.reject(
                new Error(
                  `${ref.id} belongs to extension "${ref.owner}", which is not set up during registration; use it in setup through deps`,
                ),
              );
            }
            return this.kernel.services.get(ref, manifest);
          },
          isEnabled: (workspaceId) => this.enablement.isEnabled(workspaceId, manifest.id),
          isEnabledInTransaction: (tx, workspaceId) =>
            this.enablement.isEnabledWithin(tx, workspaceId, manifest.id),
        });
      } catch (error) {
        if (error instanceof ExtensionBootError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        const failure = new Error(`its register phase failed: ${reason}`);
        failures.set(manifest.id, failure);
        // Failed from now on, so its registrations are already out of the owners' views.
        this.byId.get(manifest.id)!.status = 'failed';
      }
    }
    return failures;
  }

  /** Publishes what setup returned behind this extension's refs. */
  private provideServices(installed: InstalledExtension, contributions: ExtensionContributions<unknown>) {
    const { manifest, provides } = installed.definition;
    for (const factory of contributions.serviceFactories ?? []) {
      if (factory.service.owner !== manifest.id) {
        throw new Error(
          `it returns a service factory for ${factory.service.id}, which names "${factory.service.owner}" as its owner`,
        );
      }
    }
    if (provides) {
      if (contributions.service === undefined) {
        throw new Error(`it declares provides ${provides.id} but setup returned no service`);
      }
      this.kernel.services.provide(provides, contributions.service);
    }
    for (const factory of contributions.serviceFactories ?? []) this.kernel.services.register(factory);
  }

  private checkToolNames(kernelToolNames: string[]) {
    const owners = new Map(kernelToolNames.map((name) => [name, 'the kernel']));
    for (const runtime of this.extensions) {
      for (const tool of toolsOf(runtime.contributions)) {
        const name = qualifiedToolName(runtime, tool.name);
        if (!TOOL_NAME_PATTERN.test(name)) {
          throw new ExtensionBootError(
            `Extension "${runtime.id}" has an MCP tool named "${tool.name}"; tool names are lowercase snake_case.`,
          );
        }
        const owner = owners.get(name);
        if (owner) {
          throw new ExtensionBootError(
            `MCP tool "${name}" is defined by both ${owner} and extension "${runtime.id}". Rename one of the tools.`,
          );
        }
        owners.set(name, `extension "${runtime.id}"`);
        runtime.toolNames.push(name);
      }
    }
  }

  /** The effective settings of an extension in a workspace: stored values over the schema's defaults. */
  async settingsOf(workspaceId: string, extensionId: string): Promise<any> {
    const rows = await this.enablement.rowsOf(workspaceId);
    return this.effectiveSettings(extensionId, rows.get(extensionId)?.settings ?? {});
  }

  effectiveSettings(extensionId: string, stored: Record<string, unknown>): unknown {
    const schema = this.byId.get(extensionId)?.manifest.settings;
    if (!schema) return stored;
    const parsed = schema.safeParse(stored);
    if (parsed.success) return parsed.data;
    // Stored under an older schema that no longer accepts it: fall back to defaults, loudly.
    this.logger.warn(
      { extension: extensionId },
      'stored settings no longer match the schema; using defaults',
    );
    return schema.safeParse({}).data ?? {};
  }

  settingsJsonSchema(extensionId: string): unknown {
    const schema = this.byId.get(extensionId)?.manifest.settings;
    if (!schema) return { type: 'object', properties: {} };
    try {
      return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    } catch {
      return { type: 'object' };
    }
  }

  /** Extensions that directly require `id`. */
  dependentsOf(id: string): ExtensionRuntime[] {
    return this.extensions.filter((e) => (e.manifest.requires ?? []).includes(id));
  }

  async dispose(): Promise<void> {
    await this.enablement.stop();
    for (const runtime of [...this.extensions].reverse()) {
      try {
        await runtime.contributions.dispose?.();
      } catch (error) {
        this.logger.error({ extension: runtime.id, err: error }, 'extension dispose failed');
      }
    }
  }
}
