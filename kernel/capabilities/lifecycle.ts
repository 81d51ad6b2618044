/** lifecycleRef: onReady / beforeDrain / onShutdown hooks, recorded per extension in the LifecycleHub. */
import { lifecycleRef } from '../contract/lifecycle.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { lifecycleHubRef } from './internal-refs.ts';

export const lifecycleFactory = createServiceFactory({
  service: lifecycleRef,
  scope: 'extension',
  deps: { hub: lifecycleHubRef },
  factory: ({ hub }, { extension }) => ({
    onReady: (hook) => hub.add(extension.id, 'ready', hook),
    beforeDrain: (hook) => hub.add(extension.id, 'drain', hook),
    onShutdown: (hook) => hub.add(extension.id, 'shutdown', hook),
  }),
});
