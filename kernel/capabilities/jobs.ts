/** jobsRef: durable jobs per extension (kernel/jobs/), started and stopped by the lifecycle hub. */
import { jobsRef } from '../contract/jobs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { createExtensionJobs } from '../jobs/extension-jobs.ts';
import { internalDatabaseRef, internalLoggerRef, lifecycleHubRef } from './internal-refs.ts';

export const jobsFactory = createServiceFactory({
  service: jobsRef,
  scope: 'extension',
  deps: { database: internalDatabaseRef, logger: internalLoggerRef, lifecycle: lifecycleHubRef },
  factory: ({ database, logger, lifecycle }, { extension }) =>
    createExtensionJobs({ database, logger, lifecycle, extension }),
});
