/**
 * Refs to the kernel's own parts, for the factories in this folder only. Their ids start
 * with `kernel.internal.` (INTERNAL_REF_PREFIX), which the container refuses to every
 * extension, provided value or factory-built alike: an extension that lists one in its
 * deps is refused at boot, so kernel/contract stays the whole extension API
 * (internal-refs.test.ts holds every ref here to that).
 */
import type { Logger } from 'pino';
import type { ApiKeyVerifier } from '../auth/api-key-verifier.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { KernelConfig } from '../config.ts';
import { createServiceRef } from '../contract/refs.ts';
import type { Database, Db } from '../db/database.ts';
import type { StreamGuard } from '../events/stream-guard.ts';
import type { StreamQuota } from '../events/stream-quota.ts';
import type { SubscriptionEngine } from '../events/subscriptions/subscription-engine.ts';
import type { DueQueuesPoll } from '../jobs/due-queues-poll.ts';
import type { InProcessApi } from './act-as.ts';
import type { LifecycleHub } from './lifecycle-hub.ts';

export const internalDatabaseRef = createServiceRef<Database>({
  id: 'kernel.internal.database',
  owner: 'kernel',
});
export const internalLoggerRef = createServiceRef<Logger>({ id: 'kernel.internal.logger', owner: 'kernel' });
export const internalConfigRef = createServiceRef<KernelConfig>({
  id: 'kernel.internal.config',
  owner: 'kernel',
});
/** The installation key (32 bytes) that secrets and tickets derive their keys from. */
export const installationKeyRef = createServiceRef<Buffer>({
  id: 'kernel.internal.installation-key',
  owner: 'kernel',
});
export const lifecycleHubRef = createServiceRef<LifecycleHub>({
  id: 'kernel.internal.lifecycle',
  owner: 'kernel',
});
/** The process's one fallback poll of job queues, shared by every extension's workers. */
export const dueQueuesPollRef = createServiceRef<DueQueuesPoll>({
  id: 'kernel.internal.due-queues-poll',
  owner: 'kernel',
});
/** The kernel's stream guard: extension stream hubs register with it (streams.ts). */
export const streamGuardRef = createServiceRef<StreamGuard>({
  id: 'kernel.internal.stream-guard',
  owner: 'kernel',
});
/** The open-stream cap per actor, shared by the event stream and extension streams. */
export const streamQuotaRef = createServiceRef<StreamQuota>({
  id: 'kernel.internal.stream-quota',
  owner: 'kernel',
});
/** The composed API in process, for act-as (provided once the kernel app exists). */
export const internalInProcessApiRef = createServiceRef<InProcessApi>({
  id: 'kernel.internal.in-process-api',
  owner: 'kernel',
});
/** The raw environment (KernelOptions.env, default process.env), for installation config. */
export const internalEnvRef = createServiceRef<Readonly<Record<string, string | undefined>>>({
  id: 'kernel.internal.env',
  owner: 'kernel',
});
/** Whether an extension is enabled in a workspace (the registry's cached EnablementStore). */
export const internalEnablementRef = createServiceRef<{
  isEnabled(workspaceId: string, extensionId: string): Promise<boolean>;
  /** Uncached, inside `tx` (the cache trails a change by a NOTIFY). */
  isEnabledInTransaction(tx: Db, workspaceId: string, extensionId: string): Promise<boolean>;
}>({ id: 'kernel.internal.enablement', owner: 'kernel' });
/** The process's durable-subscription workers (kernel/events/subscriptions/). */
export const subscriptionEngineRef = createServiceRef<SubscriptionEngine>({
  id: 'kernel.internal.subscription-engine',
  owner: 'kernel',
});
/** The installation's blob store (a folder or an S3 bucket), behind blobsRef. */
export const internalBlobStoreRef = createServiceRef<BlobStore>({
  id: 'kernel.internal.blob-store',
  owner: 'kernel',
});
/** The API key verifier, so that a key revoked inside an extension's transaction ends at once here. */
export const internalApiKeyVerifierRef = createServiceRef<Pick<ApiKeyVerifier, 'evictBeforeCommit'>>({
  id: 'kernel.internal.api-key-verifier',
  owner: 'kernel',
});
