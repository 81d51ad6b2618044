/**
 * Runs an extension's `setup` without a kernel or a database: every ref in its `deps`
 * comes from the factories or values the test passes (fakes), through the same
 * ServiceContainer the kernel uses, so scoping and the "missing service" errors are
 * the real ones. Settings are the schema's defaults unless `settings` is given, and
 * the extension is enabled everywhere unless `isEnabled` says otherwise.
 *
 * ```ts
 * const events: unknown[] = [];
 * const { contributions } = await setupWithFakes(myExtension, {
 *   values: [[eventsRef, { record: async (_tx, event) => (events.push(event), { id: 1, createdAt: new Date() }) }]],
 * });
 * ```
 */
import type { ExtensionContributions, ExtensionDefinition } from '../../kernel/contract/extension.ts';
import type { ServiceRef } from '../../kernel/contract/refs.ts';
import type { ServiceFactory } from '../../kernel/contract/service-factory.ts';
import { ServiceContainer } from '../../kernel/registry/service-container.ts';

export interface FakeServices {
  factories?: ServiceFactory<any>[];
  values?: [ServiceRef<any>, unknown][];
  settings?: (workspaceId: string) => unknown;
  isEnabled?: (workspaceId: string) => boolean;
}

export async function setupWithFakes(
  definition: ExtensionDefinition,
  fakes: FakeServices = {},
): Promise<{ contributions: ExtensionContributions<unknown>; container: ServiceContainer }> {
  const container = new ServiceContainer(fakes.factories ?? []);
  for (const [ref, value] of fakes.values ?? []) container.provide(ref, value);
  const { manifest } = definition;
  const deps = await container.resolveDeps(definition.deps, manifest);
  const contributions = await definition.setup({
    deps,
    manifest,
    settings: async (workspaceId) =>
      fakes.settings ? fakes.settings(workspaceId) : (manifest.settings?.parse({}) ?? {}),
    isEnabled: async (workspaceId) => fakes.isEnabled?.(workspaceId) ?? true,
    extensionPoints: { registrations: () => ({ values: () => [], entries: () => [] }) },
  });
  return { contributions, container };
}
