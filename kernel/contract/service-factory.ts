/**
 * Service factories: how every ref, kernel or extension, gets its value.
 *
 * A factory says which ref it serves, whether one value is shared by everyone
 * (`scope: 'kernel'`) or each extension that asks gets its own (`scope: 'extension'`,
 * e.g. a logger named after it, an event recorder that knows its declared types), which
 * other refs it needs, and how to build the value. The kernel resolves an extension's
 * `deps` through one container of such factories, so a new kernel capability is one
 * file (a factory) and a test can swap any factory for a fake:
 *
 * ```ts
 * const fakeClock = createServiceFactory({
 *   service: clockRef,
 *   scope: 'kernel',
 *   factory: () => ({ now: () => new Date('2026-01-01T00:00:00Z') }),
 * });
 * await createTestKernel({ serviceFactories: [fakeClock] });
 * ```
 */
import type { ExtensionManifest } from './extension.ts';
import type { ServiceOf, ServiceRef } from './refs.ts';

export type ServiceScope = 'kernel' | 'extension';

type DepRefs = Record<string, ServiceRef<unknown>>;
type DepValues<Deps extends DepRefs> = { [K in keyof Deps]: ServiceOf<Deps[K]> };

/** Who a factory builds for: the extension that asked (extension scope only). */
export interface ServiceFactoryContext {
  extension: ExtensionManifest;
}

export interface ServiceFactory<T = unknown> {
  readonly kind: 'maskin-service-factory';
  readonly service: ServiceRef<T>;
  readonly scope: ServiceScope;
  readonly deps: DepRefs;
  create(deps: Record<string, unknown>, context: ServiceFactoryContext | undefined): T | Promise<T>;
}

export function createServiceFactory<T, const Deps extends DepRefs = Record<never, never>>(
  options:
    | {
        service: ServiceRef<T>;
        scope: 'kernel';
        deps?: Deps;
        factory(deps: DepValues<Deps>): T | Promise<T>;
      }
    | {
        service: ServiceRef<T>;
        scope: 'extension';
        deps?: Deps;
        factory(deps: DepValues<Deps>, context: ServiceFactoryContext): T | Promise<T>;
      },
): ServiceFactory<T> {
  const { service, scope } = options;
  return Object.freeze({
    kind: 'maskin-service-factory' as const,
    service,
    scope,
    deps: options.deps ?? {},
    create: (deps: Record<string, unknown>, context: ServiceFactoryContext | undefined) => {
      if (options.scope === 'kernel') return options.factory(deps as DepValues<Deps>);
      if (!context) {
        throw new Error(`${service.id} is built per extension; it cannot be used by a kernel-scoped service`);
      }
      return options.factory(deps as DepValues<Deps>, context);
    },
  });
}
