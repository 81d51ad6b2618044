/**
 * Refs to the kernel's own parts, for the factories in this folder only. The container
 * marks them internal: an extension that lists one in its deps is refused at boot, so
 * kernel/contract stays the whole extension API.
 */
import type { Logger } from 'pino';
import type { KernelConfig } from '../config.ts';
import { createServiceRef } from '../contract/refs.ts';
import type { Database } from '../db/database.ts';
import type { SubscriptionEngine } from '../events/subscriptions/subscription-engine.ts';
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
/** Whether an extension is enabled in a workspace (the registry's cached EnablementStore). */
export const internalEnablementRef = createServiceRef<{
  isEnabled(workspaceId: string, extensionId: string): Promise<boolean>;
}>({ id: 'kernel.internal.enablement', owner: 'kernel' });
/** The process's durable-subscription workers (kernel/events/subscriptions/). */
export const subscriptionEngineRef = createServiceRef<SubscriptionEngine>({
  id: 'kernel.internal.subscription-engine',
  owner: 'kernel',
});
