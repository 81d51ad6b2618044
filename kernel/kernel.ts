/**
 * Boots the kernel: database, migrations, kernel services, routes, and the
 * OpenAPI document. Used by the server entry point and by tests (createTestKernel),
 * so tests exercise exactly the production wiring.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import pino, { type Logger } from 'pino';
import { actorRoutes } from './actors/routes.ts';
import { ActorService } from './actors/service.ts';
import { ApiKeyVerifier } from './auth/api-key-verifier.ts';
import { BrowserSessions } from './auth/browser-sessions.ts';
import { loadInstallationKey } from './auth/installation-key.ts';
import { MembershipCache } from './auth/membership-cache.ts';
import { StreamTickets } from './auth/stream-tickets.ts';
import { openBlobStore } from './blobs/open-blob-store.ts';
import { kernelServiceFactories } from './capabilities/index.ts';
import {
  installationKeyRef,
  internalApiKeyVerifierRef,
  internalBlobStoreRef,
  internalConfigRef,
  internalDatabaseRef,
  internalEnablementRef,
  internalEnvRef,
  internalInProcessApiRef,
  internalLoggerRef,
  lifecycleHubRef,
  streamGuardRef,
  streamQuotaRef,
} from './capabilities/internal-refs.ts';
import { LifecycleHub } from './capabilities/lifecycle-hub.ts';
import type { KernelConfig } from './config.ts';
import type { KernelEnv } from './contract/context.ts';
import { ApiError, validationError } from './contract/errors.ts';
import { secretsRef } from './contract/refs.ts';
import type { RouteDefinition } from './contract/route.ts';
import type { ServiceFactory } from './contract/service-factory.ts';
import type { Database } from './db/database.ts';
import { readMigrationFolder, runMigrations } from './db/migrate.ts';
import { openConfiguredDatabase } from './db/open-database.ts';
import { startEventStream } from './events/event-stream.ts';
import { eventRoutes } from './events/routes.ts';
import { StreamGuard } from './events/stream-guard.ts';
import { StreamQuota } from './events/stream-quota.ts';
import { deadLetterRoutes } from './events/subscriptions/dead-letter-routes.ts';
import { RouteBodyLimits } from './http/body-limit.ts';
import { authenticate, buildRouter, resolveWorkspace } from './http/build-router.ts';
import { mountDocs } from './http/docs-page.ts';
import { healthRoutes } from './http/health-routes.ts';
import { startIdempotencySweep } from './http/idempotency-sweep.ts';
import { buildOpenApiDocument, ComponentRegistry } from './http/openapi-document.ts';
import { type Operation, operationsOf } from './http/operations.ts';
import { mountPages } from './http/pages.ts';
import { addressRateLimit, keyRateLimit, RateLimiter, rateLimitRules } from './http/rate-limit.ts';
import { createRootApp } from './http/root-app.ts';
import { mountMcp } from './mcp/mcp-endpoint.ts';
import { guardErrorCodes } from './registry/declared-errors.ts';
import { discoverExtensions } from './registry/load-extensions.ts';
import { ExtensionRegistry } from './registry/registry.ts';
import type { InstalledExtension } from './registry/resolve-extensions.ts';
import { catalogRoutes, REGISTRY_TOOL_NAMES, workspaceExtensionRoutes } from './registry/routes.ts';
import { SecretSettingsStore } from './registry/secret-settings-store.ts';
import { ServiceContainer } from './registry/service-container.ts';
import { enablementGate, WorkspaceExtensions } from './registry/workspace-extensions.ts';
import type { KernelServices } from './services.ts';
import { KERNEL_VERSION } from './version.ts';
import { myInvitationRoutes, workspaceInvitationRoutes } from './workspaces/invitation-routes.ts';
import { workspaceRoutes } from './workspaces/routes.ts';
import { WorkspaceService } from './workspaces/service.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const KERNEL_MIGRATIONS = join(ROOT, 'migrations');

export interface KernelOptions {
  config: KernelConfig;
  /** An already-open database (tests); otherwise opened from the config and closed by `close()`. */
  database?: Database;
  logger?: Logger;
  /**
   * The installed extensions. Default: discovered from core-extensions/, extensions/
   * and MASKIN_EXTENSIONS. Tests pass an explicit list.
   */
  extensions?: InstalledExtension[];
  /** The raw environment extensions' installation config is read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Replace kernel service factories (fakes in tests); each replaces the one for the same ref. */
  serviceFactories?: ServiceFactory<any>[];
  /** Lines for the human at the terminal while booting (the server prints them; tests pass nothing). */
  progress?: (message: string) => void;
}

export interface Kernel {
  app: OpenAPIHono<KernelEnv>;
  services: KernelServices;
  operations: Operation[];
  /** The container every ref resolves through (tests read services from it). */
  container: ServiceContainer;
  /** The server listens: runs extensions' onReady hooks (background work starts here). Once. */
  ready(): Promise<void>;
  /** Ends long-lived responses (streams, extensions' beforeDrain) so the HTTP server can drain. */
  beforeShutdown(): Promise<void>;
  /** Extensions' onShutdown hooks, dispose, then the kernel's own parts. */
  close(): Promise<void>;
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'maskin' } });
}

export async function migrateKernel(database: Database) {
  return runMigrations(database, 'kernel', readMigrationFolder(KERNEL_MIGRATIONS));
}

export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const progress = options.progress ?? (() => {});
  const database = options.database ?? (await openConfiguredDatabase(config, progress));
  const closers: (() => Promise<void>)[] = [];
  const shutdownHooks: (() => Promise<void>)[] = [];
  if (!options.database) closers.push(() => database.close());
  try {
    progress('applying migrations');
    await migrateKernel(database);
    const verifier = new ApiKeyVerifier(database, logger);
    await verifier.start();
    closers.push(() => verifier.stop());
    const memberships = new MembershipCache(database, logger);
    await memberships.start();
    closers.push(() => memberships.stop());
    const streamGuard = new StreamGuard(database, verifier, logger, config.sseHeartbeatMs);
    const eventStream = await startEventStream(database, config, logger);
    closers.push(() => eventStream.stop());
    shutdownHooks.push(async () => eventStream.shutdown());
    streamGuard.guard(eventStream);
    await streamGuard.start();
    closers.push(() => streamGuard.stop());
    const idempotencySweep = startIdempotencySweep(database, logger);
    closers.push(() => idempotencySweep.stop());
    const installationKey = await loadInstallationKey(database, config);
    const blobStore = openBlobStore(config);
    closers.push(async () => blobStore.close());
    const streamTickets = new StreamTickets(installationKey);
    const workspaces = new WorkspaceService();
    const services: KernelServices = {
      config,
      database,
      logger,
      verifier,
      memberships,
      workspaces,
      actors: new ActorService(workspaces, {
        maxAgentsPerWorkspace: config.maxAgentsPerWorkspace,
        maxKeysPerActor: config.maxKeysPerActor,
      }),
      eventStream,
      streamQuota: new StreamQuota(config.sseMaxStreamsPerActor, {
        perWorkspace: config.sseMaxStreamsPerWorkspace,
        perPerson: config.sseMaxStreamsPerPerson,
      }),
      rateLimiter: new RateLimiter(database, logger),
      streamTickets,
      streamGuard,
    };

    const bodyLimits = new RouteBodyLimits(config.bodyLimit);
    const limits = rateLimitRules(config);
    const perAddress = addressRateLimit(services.rateLimiter, limits);
    const app = createRootApp(config, logger, bodyLimits, perAddress ? [perAddress] : []);
    const operations: Operation[] = [];
    const sessions = new BrowserSessions(verifier, logger);
    const routerDeps = {
      database,
      verifier,
      memberships,
      tickets: streamTickets,
      bodyLimit: config.bodyLimit,
      sessions,
      keyRateLimit: keyRateLimit(services.rateLimiter, limits),
    };
    const components = new ComponentRegistry();
    const mount = (
      owner: string,
      base: string,
      definitions: RouteDefinition[],
      gate?: ReturnType<typeof enablementGate>,
    ) => {
      const router = buildRouter(definitions, routerDeps, { gate });
      components.add(owner, router);
      bodyLimits.addRoutes(base, definitions);
      app.route(base, router);
      operations.push(...operationsOf(owner, base, definitions));
    };
    mount('kernel', '/api/health', healthRoutes(services));
    mount('kernel', '/api/actors', actorRoutes(services));
    mount('kernel', '/api/workspaces', workspaceRoutes(services));
    mount('kernel', '/api/workspaces', workspaceInvitationRoutes(services));
    mount('kernel', '/api/actors', myInvitationRoutes(services));
    mount('kernel', '/api/events', eventRoutes(services));
    mount('kernel', '/api/workspaces', deadLetterRoutes(database));

    progress('loading extensions');
    const installed = options.extensions ?? (await discoverExtensions(ROOT, config.extensionSources));
    const kernelToolNames = [
      ...operations.flatMap((op) => (op.tool ? [op.tool.name] : [])),
      ...Object.values(REGISTRY_TOOL_NAMES),
    ];
    const lifecycle = new LifecycleHub(logger.child({ component: 'lifecycle' }));
    const container = new ServiceContainer([...kernelServiceFactories, ...(options.serviceFactories ?? [])])
      .provide(internalDatabaseRef, database, { internal: true })
      .provide(internalLoggerRef, logger, { internal: true })
      .provide(internalConfigRef, config, { internal: true })
      .provide(installationKeyRef, installationKey, { internal: true })
      .provide(lifecycleHubRef, lifecycle, { internal: true })
      .provide(internalBlobStoreRef, blobStore, { internal: true })
      .provide(streamGuardRef, streamGuard, { internal: true })
      .provide(internalApiKeyVerifierRef, verifier, { internal: true })
      .provide(streamQuotaRef, services.streamQuota, { internal: true })
      .provide(internalEnvRef, Object.freeze({ ...(options.env ?? process.env) }), { internal: true })
      .provide(
        internalInProcessApiRef,
        {
          request: (path, init, env) => app.request(path, init, env),
          isEnabled: async (workspaceId, extensionId) =>
            (await services.registry?.enablement.isEnabled(workspaceId, extensionId)) ?? false,
        },
        { internal: true },
      )
      // Asked only once the server is ready, when the registry below exists.
      .provide(
        internalEnablementRef,
        {
          isEnabled: (workspaceId, extensionId) => registry.enablement.isEnabled(workspaceId, extensionId),
          isEnabledInTransaction: (tx, workspaceId, extensionId) =>
            registry.enablement.isEnabledInTransaction(tx, workspaceId, extensionId),
        },
        { internal: true },
      );
    const registry = await ExtensionRegistry.boot(
      installed,
      { database, logger, services: container, lifecycle, strict: config.strictExtensions },
      kernelToolNames,
    );
    closers.push(() => registry.dispose());
    closers.push(() => lifecycle.run('shutdown'));
    const workspaceExtensions = new WorkspaceExtensions(
      registry,
      new SecretSettingsStore(database, await container.get(secretsRef)),
    );
    workspaces.onWorkspaceCreated((tx, workspaceId, actorId) =>
      workspaceExtensions.enableDefaults(tx, workspaceId, actorId),
    );
    services.registry = registry;
    services.workspaceExtensions = workspaceExtensions;
    mount('kernel', '/api/extensions', catalogRoutes(registry));
    mount('kernel', '/api/workspaces', workspaceExtensionRoutes(database, workspaceExtensions, registry));

    for (const extension of registry.extensions) {
      if (extension.status === 'ready') {
        sessions.register(extension.id, extension.contributions.authProviders ?? []);
        mountPages(app, extension.id, extension.contributions.pages, {
          authenticate: authenticate(verifier, { sessions }),
        });
        mount(
          extension.id,
          extension.mountPath,
          guardErrorCodes(extension.contributions.routes ?? [], extension.manifest, {
            logger,
            strict: config.strictExtensions,
          }),
          enablementGate(registry, extension.id),
        );
        continue;
      }
      // A failed extension keeps its mount so callers learn why, instead of a bare 404.
      const unavailable = () => {
        throw new ApiError(
          503,
          'EXTENSION_FAILED',
          `Extension "${extension.id}" failed to start: ${extension.failure}. An operator must fix it; see GET /api/extensions.`,
        );
      };
      app.all(extension.mountPath, authenticate(verifier, { actAs: true, sessions }), unavailable);
      app.all(`${extension.mountPath}/*`, authenticate(verifier, { actAs: true, sessions }), unavailable);
    }

    mountMcp(app, { database, verifier, memberships, registry, operations, logger });

    // Public without a workspace; with one (X-Workspace-Id or ?workspace_id=), the same
    // authentication and membership steps as every workspace route (a non-member: 404).
    const openApiAuth = authenticate(verifier, { sessions });
    const openApiWorkspace = resolveWorkspace(memberships, undefined);
    app.get('/openapi.json', async (c) => {
      const unknown = [...new URL(c.req.url).searchParams.keys()].filter((name) => name !== 'workspace_id');
      if (unknown.length > 0) {
        throw validationError(
          `Unknown query parameter ${unknown.join(', ')} (accepted: workspace_id)`,
          [...new Set(unknown)].map((name) => ({
            path: name,
            message: 'unknown query parameter; accepted: workspace_id',
          })),
        );
      }
      let include: ((owner: string) => boolean) | undefined;
      if (c.req.header('x-workspace-id') ?? c.req.query('workspace_id')) {
        await openApiAuth(c, async () => {
          await openApiWorkspace(c, async () => {});
        });
        const rows = await registry.enablement.rowsOf(c.get('workspace')!.id);
        include = (owner) => owner === 'kernel' || registry.enablement.isEnabledIn(rows, owner);
      }
      return c.json(
        buildOpenApiDocument(app, operations, {
          version: KERNEL_VERSION,
          serverUrl: config.publicUrl,
          include,
          errorCodes: (owner) => registry.get(owner)?.manifest.errors,
          bodyLimit: config.bodyLimit,
        }),
      );
    });

    mountDocs(app);

    return {
      app,
      services,
      operations,
      container,
      ready: () => lifecycle.run('ready'),
      beforeShutdown: async () => {
        await lifecycle.run('drain');
        for (const hook of shutdownHooks) await hook();
      },
      close: async () => {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  }
}
