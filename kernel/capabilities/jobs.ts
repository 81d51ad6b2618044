/** jobsRef: durable jobs per extension (kernel/jobs/), started and stopped by the lifecycle hub. */
import { jobsRef } from '../contract/jobs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { DueQueuesPoll } from '../jobs/due-queues-poll.ts';
import { createExtensionJobs } from '../jobs/extension-jobs.ts';
import {
  dueQueuesPollRef,
  internalDatabaseRef,
  internalLoggerRef,
  lifecycleHubRef,
} from './internal-refs.ts';

export const dueQueuesPollFactory = createServiceFactory({
  service: dueQueuesPollRef,
  scope: 'kernel',
  deps: { database: internalDatabaseRef, logger: internalLoggerRef },
  factory: ({ database, logger }) => new DueQueuesPoll(database, logger.child({ component: 'jobs' })),
});

export const jobsFactory = createServiceFactory({
  service: jobsRef,
  scope: 'extension',
  deps: {
    database: internalDatabaseRef,
    logger: internalLoggerRef,
    lifecycle: lifecycleHubRef,
    poll: dueQueuesPollRef,
  },
  factory: ({ database, logger, lifecycle, poll }, { extension }) =>
    createExtensionJobs({ database, logger, lifecycle, extension, poll }),
});
