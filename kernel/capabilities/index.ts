/**
 * The kernel's capabilities: one factory per contract ref. Adding a capability is one
 * file in this folder (its factory) plus its ref and types in kernel/contract, and one
 * line here.
 */
import type { ServiceFactory } from '../contract/service-factory.ts';
import { actAsFactory } from './act-as.ts';
import { agentKeysFactory } from './agent-keys.ts';
import { blobsFactory } from './blobs.ts';
import { configFactory } from './config.ts';
import { databaseFactory } from './database.ts';
import { eventLogFactory, subscriptionEngineFactory } from './event-log.ts';
import { eventsFactory } from './events.ts';
import { installationConfigFactory } from './installation-config.ts';
import { dueQueuesPollFactory, jobsFactory } from './jobs.ts';
import { lifecycleFactory } from './lifecycle.ts';
import { loggerFactory } from './logger.ts';
import { membersFactory } from './members.ts';
import { secretSettingsFactory } from './secret-settings.ts';
import { secretsFactory } from './secrets.ts';
import { storageFactory } from './storage.ts';
import { streamsFactory } from './streams.ts';

export const kernelServiceFactories: readonly ServiceFactory<any>[] = [
  databaseFactory,
  eventsFactory,
  loggerFactory,
  configFactory,
  storageFactory,
  secretsFactory,
  lifecycleFactory,
  streamsFactory,
  membersFactory,
  actAsFactory,
  secretSettingsFactory,
  installationConfigFactory,
  jobsFactory,
  dueQueuesPollFactory,
  eventLogFactory,
  subscriptionEngineFactory,
  blobsFactory,
  agentKeysFactory,
];
