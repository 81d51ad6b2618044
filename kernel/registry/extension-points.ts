/**
 * The registrations of every extension point, collected in the registration phase
 * (before any setup) and read by the owners in their setup.
 *
 * A registration is checked when it is added, so a wrong one stops boot before any
 * extension's setup runs: the point's owner must be installed, declare the point,
 * and be listed in the contributor's `requires` (the same rule as a service ref:
 * the owner then starts first, and enabling the contributor in a workspace needs
 * the owner enabled there). Registrations are stored per contributor; the owner's
 * view asks `isRunning` on every read, so a contributor that fails later (its
 * setup, or a requirement of it) drops out of every view at once: its registered
 * functions are never called after the failure, with no list to mend.
 */

import type { ExtensionManifest } from '../contract/extension.ts';
import type {
  ExtensionPoint,
  ExtensionPointEntry,
  ExtensionPointRegistrar,
  ExtensionPointRegistrations,
} from '../contract/extension-point.ts';
import { ExtensionBootError } from './resolve-extensions.ts';

interface Declared {
  point: ExtensionPoint<unknown>;
  entries: ExtensionPointEntry<unknown>[];
}

export class ExtensionPoints {
  private readonly declared = new Map<string, Declared>();
  /** Every installed extension's manifest, by id, to name owners in messages. */
  private readonly installed = new Map<string, ExtensionManifest>();

  constructor(
    installed: { manifest: ExtensionManifest; extensionPoints: readonly ExtensionPoint<unknown>[] }[],
    private readonly isRunning: (extensionId: string) => boolean,
  ) {
    for (const { manifest, extensionPoints } of installed) {
      this.installed.set(manifest.id, manifest);
      for (const point of extensionPoints) {
        const other = this.declared.get(point.id);
        if (other) {
          throw new ExtensionBootError(
            `Extension point ${point.id} is declared by both "${other.point.owner}" and "${manifest.id}". Rename one of them.`,
          );
        }
        this.declared.set(point.id, { point, entries: [] });
      }
    }
  }

  /** The registrar handed to one contributor's `register`. */
  registrarFor(contributor: ExtensionManifest): ExtensionPointRegistrar {
    return {
      add: <T>(point: ExtensionPoint<T>, value: T) => {
        const declared = this.checkContribution(contributor, point);
        declared.entries.push({ extensionId: contributor.id, value });
      },
    };
  }

  /** The view handed to an owner's `setup`; refuses points it does not own. */
  registrations<T>(owner: ExtensionManifest, point: ExtensionPoint<T>): ExtensionPointRegistrations<T> {
    const declared = this.declared.get(point.id);
    if (!declared || point.owner !== owner.id) {
      throw new Error(
        `extension "${owner.id}" reads extension point ${point.id}, which it does not declare; list it in its extensionPoints`,
      );
    }
    const entries = () =>
      declared.entries.filter((entry) => this.isRunning(entry.extensionId)) as ExtensionPointEntry<T>[];
    return { entries, values: () => entries().map((entry) => entry.value) };
  }

  /** How many registrations a contributor made, running or not (for tests and diagnostics). */
  countOf(contributorId: string): number {
    let count = 0;
    for (const { entries } of this.declared.values()) {
      count += entries.filter((entry) => entry.extensionId === contributorId).length;
    }
    return count;
  }

  private checkContribution(contributor: ExtensionManifest, point: ExtensionPoint<unknown>): Declared {
    const { owner } = point;
    if (!this.installed.has(owner)) {
      throw new ExtensionBootError(
        `Extension "${contributor.id}" registers on extension point ${point.id} of "${owner}", which is not installed. Install "${owner}" and add it to requires, or remove the registration.`,
      );
    }
    if (!(contributor.requires ?? []).includes(owner) && contributor.id !== owner) {
      throw new ExtensionBootError(
        `Extension "${contributor.id}" registers on extension point ${point.id} of "${owner}" without requiring it: add "${owner}" to its manifest's requires.`,
      );
    }
    const declared = this.declared.get(point.id);
    if (!declared || declared.point.owner !== owner) {
      throw new ExtensionBootError(
        `Extension "${contributor.id}" registers on extension point ${point.id}, which "${owner}" does not declare. Add it to "${owner}"'s extensionPoints, or use a point "${owner}" exports from its api.ts.`,
      );
    }
    return declared;
  }
}
