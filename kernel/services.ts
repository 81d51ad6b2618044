/** The kernel's own services, built once at boot and handed to kernel route factories. */
import type { Logger } from 'pino';
import type { ActorService } from './actors/service.ts';
import type { ApiKeyVerifier } from './auth/api-key-verifier.ts';
import type { KernelConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { WorkspaceService } from './workspaces/service.ts';

export interface KernelServices {
  config: KernelConfig;
  database: Database;
  logger: Logger;
  verifier: ApiKeyVerifier;
  actors: ActorService;
  workspaces: WorkspaceService;
}
