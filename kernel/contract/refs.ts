/**
 * Typed service references. An extension asks for what it needs by ref
 * (`deps: { db: dbRef, objects: objectsServiceRef }`) and receives typed values;
 * nothing is looked up by name at runtime. A ref names its owner (`kernel` or the
 * extension that provides it), so the registry can check at boot that the owner is
 * installed and listed in `requires`.
 */
import type { Logger } from 'pino';
import type { KernelConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { EventInput, RecordedEvent } from '../events/record-event.ts';

declare const serviceType: unique symbol;

export interface ServiceRef<T> {
  /** Unique name of the service, e.g. `objects.service`. */
  readonly id: string;
  /** `kernel`, or the id of the extension whose `provides` it is. */
  readonly owner: string;
  readonly [serviceType]?: T;
}

export function createServiceRef<T>(options: { id: string; owner: string }): ServiceRef<T> {
  return Object.freeze({ id: options.id, owner: options.owner }) as ServiceRef<T>;
}

export type ServiceOf<R> = R extends ServiceRef<infer T> ? T : never;

/** The database, shared by all extensions; every query must be scoped by workspace id. */
export interface ExtensionDatabase {
  /** Drizzle. Use `db.transaction(async (tx) => ...)` for anything that writes. */
  db: Db;
  /** A raw parameterised query outside any transaction. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

/**
 * Records events inside the caller's transaction; the type must be declared in the
 * manifest's `events`. In setup, `deps.events` is typed with exactly those types, so
 * recording an undeclared one is a compile error (and still refused at runtime).
 */
export interface ExtensionEvents<Type extends string = string> {
  record(tx: Db, event: EventInput & { type: Type }): Promise<RecordedEvent>;
  /**
   * Several events of one workspace in one statement, with consecutive ids in this
   * order (bulk writes), followed by `prepared` events of other extensions: a hook
   * that wrote in this transaction hands its events over, and the whole write holds
   * the workspace's event counter for one statement instead of one per extension.
   */
  recordMany(
    tx: Db,
    events: (EventInput & { type: Type })[],
    prepared?: readonly PreparedEvents[],
  ): Promise<RecordedEvent[]>;
  /**
   * This extension's events, checked against its manifest now, for another
   * extension's `recordMany` to record in the same statement (see above).
   */
  prepare(events: (EventInput & { type: Type })[]): PreparedEvents;
}

/** Events checked by the recorder of the extension that owns their types; only `prepare` makes them. */
export interface PreparedEvents {
  readonly events: readonly EventInput[];
}

/**
 * A small per-extension key/value store for state that is not worth a table
 * (cursors, tokens of integrations), scoped by workspace.
 */
export interface ExtensionStorage {
  get<T = unknown>(workspaceId: string, key: string): Promise<T | undefined>;
  set(tx: Db | undefined, workspaceId: string, key: string, value: unknown): Promise<void>;
  delete(tx: Db | undefined, workspaceId: string, key: string): Promise<void>;
}

/** Encrypts secrets at rest (AES-256-GCM with the installation's key). */
export interface ExtensionSecrets {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
}

export const dbRef = createServiceRef<ExtensionDatabase>({ id: 'kernel.db', owner: 'kernel' });
/** Branded by its id so defineExtension can narrow it to the manifest's event types. */
export const eventsRef = createServiceRef<ExtensionEvents>({
  id: 'kernel.events',
  owner: 'kernel',
}) as ServiceRef<ExtensionEvents> & {
  readonly id: 'kernel.events';
};
export const loggerRef = createServiceRef<Logger>({ id: 'kernel.logger', owner: 'kernel' });
/** The kernel configuration without credentials (no databaseUrl, secretKey or blob store settings). */
export const configRef = createServiceRef<
  Readonly<Omit<KernelConfig, 'databaseUrl' | 'secretKey' | 'blobs'>>
>({
  id: 'kernel.config',
  owner: 'kernel',
});
export const storageRef = createServiceRef<ExtensionStorage>({ id: 'kernel.storage', owner: 'kernel' });
export const secretsRef = createServiceRef<ExtensionSecrets>({ id: 'kernel.secrets', owner: 'kernel' });
