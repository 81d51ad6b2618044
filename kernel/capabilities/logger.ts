/** loggerRef: the kernel's pino logger, as a child named after the extension. */
import { loggerRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { internalLoggerRef } from './internal-refs.ts';

export const loggerFactory = createServiceFactory({
  service: loggerRef,
  scope: 'extension',
  deps: { logger: internalLoggerRef },
  factory: ({ logger }, { extension }) => logger.child({ extension: extension.id }),
});
