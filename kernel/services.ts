/** The kernel's own services, built once at boot and handed to kernel route factories. */

import type { Logger } from 'pino';
import type { ActorService } from './actors/service.ts';
import type { ApiKeyVerifier } from './auth/api-key-verifier.ts';
import type { MembershipCache } from './auth/membership-cache.ts';
import type { StreamTickets } from './auth/stream-tickets.ts';
import type { KernelConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { EventStreamHub } from './events/event-stream.ts';
import type { StreamGuard } from './events/stream-guard.ts';
import type { StreamQuota } from './events/stream-quota.ts';
import type { RateLimiter } from './http/rate-limit.ts';
import type { ExtensionRegistry } from './registry/registry.ts';
import type { WorkspaceExtensions } from './registry/workspace-extensions.ts';
import type { WorkspaceService } from './workspaces/service.ts';

export interface KernelServices {
  config: KernelConfig;
  database: Database;
  logger: Logger;
  verifier: ApiKeyVerifier;
  /** The caller's role per workspace, cached and evicted on change on every instance. */
  memberships: MembershipCache;
  actors: ActorService;
  workspaces: WorkspaceService;
  /** Fans the workspace event log out to SSE clients (one LISTEN per process). */
  eventStream: EventStreamHub;
  /** Open-stream cap per actor, shared by every stream route. */
  streamQuota: StreamQuota;
  /** Signed short-lived tickets that open streams without headers (browsers' EventSource). */
  streamTickets: StreamTickets;
  /** Request counters per key and address, in PostgreSQL (http/rate-limit.ts). */
  rateLimiter: RateLimiter;
  /** Ends open streams whose key, actor or membership is gone. */
  streamGuard: StreamGuard;
  /** Set once extensions have booted (after the kernel's own routes are built). */
  registry?: ExtensionRegistry;
  workspaceExtensions?: WorkspaceExtensions;
}
