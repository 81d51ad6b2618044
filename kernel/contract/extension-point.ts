/**
 * Extension points: how an extension lets others plug into it (Backstage's
 * `createExtensionPoint`, shaped as data).
 *
 * The owner creates a point in its api.ts and lists it in `extensionPoints`; a
 * contributor lists the owner in `requires` and, in its `register` phase, adds one
 * value of the point's type (`extensionPoints.add(point, value)`). The kernel runs
 * every extension's `register` before any `setup`, so when the owner's setup runs
 * every registration is known; the owner reads them with
 * `extensionPoints.registrations(point)`.
 *
 * Why registrations are read through a live view (`values()` each time they are
 * used) and never handed over as a fixed array: a contributor requires the owner,
 * so it is set up after the owner and may still fail (its setup throws, or it needs
 * something that failed). A failed extension's registrations are then discarded:
 * the view stops returning them from that moment, so the owner never calls code of
 * an extension whose setup did not complete. An owner that copies `values()` into
 * its own list at setup time would defeat this; read it where you use it.
 *
 * Registrations are per contributor and carry no workspace: a contributor that is
 * disabled in a workspace decides itself what its registered functions do there
 * (`isEnabled(workspaceId)` from its register context).
 */
import type { Db } from '../db/database.ts';
import type { ServiceRef } from './refs.ts';

declare const pointType: unique symbol;

export interface ExtensionPoint<T> {
  /** Unique name, e.g. `objects.hooks`. */
  readonly id: string;
  /** The extension that declares the point and reads its registrations. */
  readonly owner: string;
  readonly [pointType]?: T;
}

export function createExtensionPoint<T>(options: { id: string; owner: string }): ExtensionPoint<T> {
  return Object.freeze({ id: options.id, owner: options.owner }) as ExtensionPoint<T>;
}

export type ExtensionPointValue<P> = P extends ExtensionPoint<infer T> ? T : never;

/** One contributor's registration, as the owner sees it. */
export interface ExtensionPointEntry<T> {
  /** The contributing extension's id (e.g. to hand each contributor only its own records). */
  extensionId: string;
  value: T;
}

/** The owner's live view of a point: contributors that failed are left out. */
export interface ExtensionPointRegistrations<T> {
  /** The values of running contributors, in boot (dependency) order. Call it each time. */
  values(): T[];
  entries(): ExtensionPointEntry<T>[];
}

/** What a contributor's `register` gets to add registrations with. */
export interface ExtensionPointRegistrar {
  add<T>(point: ExtensionPoint<T>, value: T): void;
}

/** What an owner's `setup` gets to read the registrations of its own points with. */
export interface ExtensionPointReader {
  registrations<T>(point: ExtensionPoint<T>): ExtensionPointRegistrations<T>;
}

/**
 * The context of the registration phase. Only kernel services exist yet (no
 * extension has been set up), so `kernelService` refuses a ref of an extension.
 */
export interface RegisterContext {
  extensionPoints: ExtensionPointRegistrar;
  kernelService<T>(ref: ServiceRef<T>): Promise<T>;
  /** Whether this extension is enabled in a workspace; for registered functions, at call time. */
  isEnabled(workspaceId: string): Promise<boolean>;
  /**
   * The same, safe inside the caller's transaction: for a hook that runs inside another
   * extension's write. The process's cached answer when it has one (like isEnabled),
   * else a read in `tx`: a cached read that misses would go to the pool, and on the
   * embedded database (one connection, held by that transaction) wait forever.
   */
  isEnabledInTransaction(tx: Db, workspaceId: string): Promise<boolean>;
}
