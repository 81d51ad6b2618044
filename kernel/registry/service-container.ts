/**
 * The one container every ref resolves through. Kernel capabilities register their
 * factories here at boot (kernel/capabilities/), an extension's `provides` is added
 * as a kernel-scoped value once its setup returns, and tests may replace any factory
 * before boot.
 *
 * Resolution: a kernel-scoped value is built once and shared; an extension-scoped one
 * is built once per asking extension, and its own deps are resolved for that same
 * extension (so the events recorder an extension's jobs service uses is its own). A
 * kernel-scoped factory cannot depend on an extension-scoped one (there is no asking
 * extension to build it for), and a cycle between factories is refused with its path.
 * Internal refs (the raw database, the kernel's own services) are for factories only:
 * an extension that names one in its deps is refused at boot.
 */
import type { ExtensionManifest } from '../contract/extension.ts';
import type { ServiceRef } from '../contract/refs.ts';
import type { ServiceFactory } from '../contract/service-factory.ts';

/**
 * Refs whose id starts with this are the kernel's own parts (kernel/capabilities/
 * internal-refs.ts): refused to every extension, whether a value was provided for them
 * or a kernel factory builds them. Factories may still depend on them.
 */
export const INTERNAL_REF_PREFIX = 'kernel.internal.';

export class ServiceContainer {
  private readonly factories = new Map<string, ServiceFactory>();
  private readonly shared = new Map<string, Promise<unknown>>();
  private readonly perExtension = new Map<string, Promise<unknown>>();
  private readonly internal = new Set<string>();

  constructor(factories: readonly ServiceFactory[] = []) {
    for (const factory of factories) this.register(factory);
  }

  /** Adds a factory, replacing any earlier one for the same ref (tests swap fakes in this way). */
  register(factory: ServiceFactory): this {
    this.factories.set(factory.service.id, factory);
    this.shared.delete(factory.service.id);
    return this;
  }

  /** A fixed value for a ref, shared by everyone (extension services, kernel internals). */
  provide<T>(ref: ServiceRef<T>, value: T, options: { internal?: boolean } = {}): this {
    if (options.internal) this.internal.add(ref.id);
    this.factories.delete(ref.id);
    this.shared.set(ref.id, Promise.resolve(value));
    return this;
  }

  has(ref: ServiceRef<unknown>): boolean {
    return this.factories.has(ref.id) || this.shared.has(ref.id);
  }

  /** The value of `ref` for `extension` (or for the kernel itself when omitted). */
  get<T>(ref: ServiceRef<T>, extension?: ExtensionManifest): Promise<T> {
    if (extension && (this.internal.has(ref.id) || ref.id.startsWith(INTERNAL_REF_PREFIX))) {
      return Promise.reject(
        new Error(
          `${ref.id} is internal to the kernel; extensions use the services exported by kernel/contract`,
        ),
      );
    }
    return this.resolve(ref, extension, []) as Promise<T>;
  }

  /** Resolves a whole `deps` map for one extension. */
  async resolveDeps(
    deps: Record<string, ServiceRef<unknown>>,
    extension: ExtensionManifest,
  ): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
      Object.entries(deps).map(async ([name, ref]) => [name, await this.get(ref, extension)] as const),
    );
    return Object.fromEntries(entries);
  }

  private resolve(
    ref: ServiceRef<unknown>,
    extension: ExtensionManifest | undefined,
    path: string[],
  ): Promise<unknown> {
    const cached = this.shared.get(ref.id);
    if (cached) return cached;
    const factory = this.factories.get(ref.id);
    if (!factory) {
      return Promise.reject(
        new Error(
          ref.owner === 'kernel'
            ? `No factory provides the kernel service ${ref.id}`
            : `${ref.id} is provided by extension "${ref.owner}", which has not started`,
        ),
      );
    }
    if (path.includes(ref.id)) {
      return Promise.reject(new Error(`Service factories form a cycle: ${[...path, ref.id].join(' -> ')}`));
    }
    if (factory.scope === 'extension' && !extension) {
      const asker = path[path.length - 1] ?? 'the kernel';
      return Promise.reject(
        new Error(`${asker} is kernel-scoped but depends on ${ref.id}, which is built per extension`),
      );
    }
    const cacheKey = factory.scope === 'extension' ? `${ref.id}\u0000${extension!.id}` : ref.id;
    const cache = factory.scope === 'extension' ? this.perExtension : this.shared;
    const existing = cache.get(cacheKey);
    if (existing) return existing;
    const forWhom = factory.scope === 'extension' ? extension : undefined;
    const built = (async () => {
      const entries = await Promise.all(
        Object.entries(factory.deps).map(
          async ([name, dep]) => [name, await this.resolve(dep, forWhom, [...path, ref.id])] as const,
        ),
      );
      return factory.create(Object.fromEntries(entries), forWhom ? { extension: forWhom } : undefined);
    })();
    cache.set(cacheKey, built);
    // A failed build is not cached: the next asker gets a fresh attempt and the real error.
    built.catch(() => cache.delete(cacheKey));
    return built;
  }
}
