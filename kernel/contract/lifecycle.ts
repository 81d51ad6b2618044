/**
 * lifecycleRef: when an extension's background work may run. Setup only wires things
 * up; anything that polls, listens or serves long-lived responses starts in `onReady`
 * (the server is listening and every extension has set up), ends its long-lived
 * responses in `beforeDrain` (shutdown began: streams end with a `retry:` hint so
 * clients reconnect to another instance), and releases what it holds in `onShutdown`
 * (in-flight requests are done, the database is still open).
 *
 * Hooks run in dependency order on the way up and in reverse on the way down, like
 * `setup` and `dispose`. A hook that throws is logged and the others still run.
 *
 * ```ts
 * deps: { lifecycle: lifecycleRef },
 * setup({ deps }) {
 *   let timer: NodeJS.Timeout | undefined;
 *   deps.lifecycle.onReady(() => { timer = setInterval(poll, 1000); });
 *   deps.lifecycle.onShutdown(() => clearInterval(timer));
 *   return {};
 * }
 * ```
 */
import { createServiceRef } from './refs.ts';

export type LifecycleHook = () => void | Promise<void>;

export interface ExtensionLifecycle {
  onReady(hook: LifecycleHook): void;
  beforeDrain(hook: LifecycleHook): void;
  onShutdown(hook: LifecycleHook): void;
}

export const lifecycleRef = createServiceRef<ExtensionLifecycle>({ id: 'kernel.lifecycle', owner: 'kernel' });
