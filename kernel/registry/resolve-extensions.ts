/**
 * Boot-time checks over the installed extensions, before any of their code runs:
 * duplicate ids, supported kernel range, declared dependencies (requires and the
 * owners of the service refs they use), cycles, mount clashes, and event types
 * declared twice (or taken from the kernel). Every failure
 * names both parties and the fix. Returns the extensions in dependency order.
 */
import semver from 'semver';
import type { Enablement, ExtensionDefinition } from '../contract/extension.ts';
import { KERNEL_EVENT_TYPES } from '../events/kernel-event-types.ts';
import { KERNEL_VERSION } from '../version.ts';
import { checkErrorCodes, checkEventNamespaces } from './manifest-checks.ts';

export type Tier = 'core' | 'third-party';

export interface InstalledExtension {
  definition: ExtensionDefinition;
  tier: Tier;
  /** Where it was loaded from (a folder or package), for messages. */
  source: string;
  /** Its folder, for the default migrations location. */
  dir: string | undefined;
}

export class ExtensionBootError extends Error {}

/** Path segments under /api that the kernel owns. */
export const RESERVED_SEGMENTS = new Set([
  'actors',
  'workspaces',
  'events',
  'extensions',
  'health',
  'm',
  'mcp',
]);

/**
 * An extension may only require extensions that are on at least as often: an
 * `always` or `default-on` one that required an `opt-in` one would be enabled in
 * workspaces (new ones, or ones without a row) where its requirement is not.
 */
const ENABLEMENT_RANK: Record<Enablement, number> = { 'opt-in': 0, 'default-on': 1, always: 2 };

export function mountPathOf(extension: InstalledExtension): string {
  const { manifest } = extension.definition;
  return extension.tier === 'core' ? `/api/${manifest.mounts?.[0] ?? manifest.id}` : `/api/m/${manifest.id}`;
}

export function resolveExtensions(installed: InstalledExtension[]): InstalledExtension[] {
  const byId = new Map<string, InstalledExtension>();
  for (const extension of installed) {
    const { id } = extension.definition.manifest;
    const other = byId.get(id);
    if (other) {
      throw new ExtensionBootError(
        `Two extensions have the id "${id}": ${other.source} and ${extension.source}. Ids must be unique; remove one of them or rename it.`,
      );
    }
    byId.set(id, extension);
  }

  for (const extension of installed) {
    const { manifest } = extension.definition;
    if (!semver.satisfies(KERNEL_VERSION, manifest.kernel, { includePrerelease: true })) {
      throw new ExtensionBootError(
        `Extension "${manifest.id}" (${extension.source}) supports kernel ${manifest.kernel}, but this kernel is ${KERNEL_VERSION}. Upgrade the extension or remove it.`,
      );
    }
    if (extension.tier === 'third-party' && manifest.mounts?.length) {
      throw new ExtensionBootError(
        `Extension "${manifest.id}" (${extension.source}) declares mounts, which only core extensions may do; third-party extensions are mounted at /api/m/${manifest.id}. Remove "mounts".`,
      );
    }
    for (const required of manifest.requires ?? []) {
      if (!byId.has(required)) {
        throw new ExtensionBootError(
          `Extension "${manifest.id}" requires "${required}", which is not installed. Add "${required}" (core-extensions/, extensions/ or MASKIN_EXTENSIONS) or remove "${manifest.id}".`,
        );
      }
    }
    for (const required of manifest.requires ?? []) {
      const requirement = byId.get(required)!.definition.manifest;
      if (ENABLEMENT_RANK[requirement.enablement] < ENABLEMENT_RANK[manifest.enablement]) {
        throw new ExtensionBootError(
          `Extension "${manifest.id}" is ${manifest.enablement} but requires "${required}", which is ${requirement.enablement}: workspaces would get "${manifest.id}" enabled without "${required}". Make "${required}" ${manifest.enablement} or make "${manifest.id}" ${requirement.enablement}.`,
        );
      }
    }
    for (const [name, ref] of Object.entries(extension.definition.deps)) {
      if (ref.owner === 'kernel' || (manifest.requires ?? []).includes(ref.owner)) continue;
      const fix = byId.has(ref.owner)
        ? `add "${ref.owner}" to its manifest's requires`
        : `install "${ref.owner}" and add it to requires`;
      throw new ExtensionBootError(
        `Extension "${manifest.id}" uses ${ref.id} (dependency "${name}") from "${ref.owner}" without requiring it: ${fix}.`,
      );
    }
  }

  const mounts = new Map<string, string>();
  for (const extension of installed) {
    const { id } = extension.definition.manifest;
    if (extension.tier !== 'core') continue;
    const segment = mountPathOf(extension).slice('/api/'.length);
    if (RESERVED_SEGMENTS.has(segment)) {
      throw new ExtensionBootError(
        `Extension "${id}" wants the mount /api/${segment}, which the kernel reserves. Choose another mount.`,
      );
    }
    const owner = mounts.get(segment);
    if (owner) {
      throw new ExtensionBootError(
        `Extensions "${owner}" and "${id}" both want the mount /api/${segment}. Change the mount of one of them.`,
      );
    }
    mounts.set(segment, id);
  }

  checkEventNamespaces(installed);
  checkErrorCodes(installed);
  const eventOwners = new Map<string, string>();
  for (const extension of installed) {
    const { id, events = [] } = extension.definition.manifest;
    for (const type of events) {
      const owner = KERNEL_EVENT_TYPES.has(type) ? 'the kernel' : eventOwners.get(type);
      if (owner) {
        throw new ExtensionBootError(
          `Extension "${id}" declares the event type "${type}", which ${owner === 'the kernel' ? 'the kernel' : `extension "${owner}"`} already records. Event types name one producer in every workspace's log; rename it (e.g. after your own entity).`,
        );
      }
      eventOwners.set(type, id);
    }
  }

  // Depth-first topological sort; the stack gives the cycle's path when there is one.
  const ordered: InstalledExtension[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      throw new ExtensionBootError(
        `Extension dependency cycle: ${cycle.join(' -> ')}. Remove one of these requires so the graph has no cycle.`,
      );
    }
    state.set(id, 'visiting');
    const extension = byId.get(id)!;
    for (const required of extension.definition.manifest.requires ?? []) visit(required, [...path, id]);
    state.set(id, 'done');
    ordered.push(extension);
  };
  for (const id of [...byId.keys()].sort()) visit(id, []);
  return ordered;
}
