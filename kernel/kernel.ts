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
import type { KernelConfig } from './config.ts';
import type { KernelEnv } from './contract/context.ts';
import type { RouteDefinition } from './contract/route.ts';
import type { Database } from './db/database.ts';
import { readMigrationFolder, runMigrations } from './db/migrate.ts';
import { openConfiguredDatabase } from './db/open-database.ts';
import { buildRouter } from './http/build-router.ts';
import { healthRoutes } from './http/health-routes.ts';
import { buildOpenApiDocument } from './http/openapi-document.ts';
import { type Operation, operationsOf } from './http/operations.ts';
import { createRootApp } from './http/root-app.ts';
import type { KernelServices } from './services.ts';
import { KERNEL_VERSION } from './version.ts';
import { workspaceRoutes } from './workspaces/routes.ts';
import { WorkspaceService } from './workspaces/service.ts';

export const KERNEL_MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface KernelOptions {
  config: KernelConfig;
  /** An already-open database (tests); otherwise opened from the config and closed by `close()`. */
  database?: Database;
  logger?: Logger;
}

export interface Kernel {
  app: OpenAPIHono<KernelEnv>;
  services: KernelServices;
  operations: Operation[];
  /** Ends long-lived responses (streams) so the HTTP server can drain. */
  beforeShutdown(): Promise<void>;
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
  const database = options.database ?? (await openConfiguredDatabase(config));
  const closers: (() => Promise<void>)[] = [];
  const shutdownHooks: (() => Promise<void>)[] = [];
  if (!options.database) closers.push(() => database.close());
  try {
    await migrateKernel(database);
    const verifier = new ApiKeyVerifier(database, logger);
    await verifier.start();
    closers.push(() => verifier.stop());
    const workspaces = new WorkspaceService();
    const services: KernelServices = {
      config,
      database,
      logger,
      verifier,
      workspaces,
      actors: new ActorService(workspaces),
    };

    const app = createRootApp(config, logger);
    const operations: Operation[] = [];
    const mount = (owner: string, base: string, definitions: RouteDefinition[]) => {
      app.route(base, buildRouter(definitions, { database, verifier }));
      operations.push(...operationsOf(owner, base, definitions));
    };
    mount('kernel', '/api/health', healthRoutes(services));
    mount('kernel', '/api/actors', actorRoutes(services));
    mount('kernel', '/api/workspaces', workspaceRoutes(services));

    app.get('/openapi.json', (c) =>
      c.json(buildOpenApiDocument(app, operations, { version: KERNEL_VERSION, serverUrl: config.publicUrl })),
    );

    return {
      app,
      services,
      operations,
      beforeShutdown: async () => {
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
