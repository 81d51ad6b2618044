/**
 * The extension point through which an extension that requires `objects` attaches
 * data to objects without `objects` knowing about it.
 *
 * Why: relationships requires objects, so objects cannot call relationships (that
 * would be a dependency cycle), yet `GET /objects/:id` must show an object's edges
 * and `DELETE /objects/:id` must remove them. Relationships registers an
 * `ObjectHooks` value on `objectHooksPoint` in its register phase (before any setup,
 * see kernel/contract/extension-point.ts); objects reads the registrations where it
 * uses them, so the hooks of an extension that failed to start are never called.
 * The edge table stays relationships' own (its migration; a composite foreign key on
 * objects(workspace_id, id) with ON DELETE CASCADE is the safety net).
 *
 * Subscriptions registers `afterWrite` to subscribe creators and drivers in the
 * writing transaction (one statement for a bulk create), rather than reading the event
 * log back object by object.
 *
 * Records of other extensions that merely point at an object (a session, a file, a
 * comment) do not need a hook here: they are links (links.ts), one table for every
 * attacher, and a linker hears of a deleted object through `objectLinkHooksPoint`.
 */
import {
  createExtensionPoint,
  type Db,
  type ExtensionPointRegistrations,
  type PreparedEvents,
} from '@maskin/contract';
import type { WorkObject } from './table.ts';

export interface WriteScope {
  workspaceId: string;
  actorId: string;
}

/** An edge as shown on an object (the shape relationships returns). */
export interface ObjectEdge {
  id: string;
  type: string;
  source_id: string;
  target_id: string;
  created_by: string | null;
  created_at: string;
}

/** Events a write prepared but has not recorded yet: writes record their events last. */
export type PendingEvents = () => Promise<void>;

/** Edges touching one object, in its workspace. */
/** The object's edges, newest first; at most `limit` of them when given. */
export type EdgesProvider = (
  db: Db,
  workspaceId: string,
  objectId: string,
  limit?: number,
) => Promise<ObjectEdge[]>;

/** Runs inside the deleting transaction before the object row goes; returns its pending events. */
/**
 * The edges of the object being read, as part of the very statement that reads it, so
 * `GET /objects/{id}` is one statement: the text of a SQL expression of type json, an
 * array of ObjectEdge objects (times as toISOString writes them: `isoTimeSql`), newest
 * first, at most `$1` of them (the statement's first parameter, an integer, is the
 * limit; it may use no other), for the objects row aliased `o` (it refers to
 * `o.workspace_id` and `o.id`). Undefined when there are no edges to show (e.g. the
 * extension is disabled in this workspace). The text must not depend on the request:
 * the statement is built once per set of texts and prepared once per connection.
 * Preferred to `edgesOf`, which costs a statement of its own.
 */
export type EdgesSql = (workspaceId: string) => Promise<string | undefined>;

export type BeforeDeleteHook = (tx: Db, scope: WriteScope, objectId: string) => Promise<PendingEvents>;

/** One object a write created or changed, as it is after the write. */
export interface WrittenObject {
  object: WorkObject;
  created: boolean;
  /** The fields an update set (empty for a creation). */
  changed: string[];
}

/**
 * Runs inside the writing transaction after the rows are written, once per write with
 * every object it touched (a bulk create of 500 is one call, so a hook can answer it in
 * one statement); returns its events prepared (`events.prepare`), which objects records
 * after its own in the same statement, or nothing.
 */
export type AfterWriteHook = (
  tx: Db,
  scope: WriteScope,
  written: WrittenObject[],
) => Promise<PreparedEvents | undefined>;

/** One extension's hooks on objects' reads, writes and deletes. */
export interface ObjectHooks {
  /** Edges shown on `GET /objects/:id`, read in the object's own statement. */
  edgesSql?: EdgesSql;
  /** Edges shown on `GET /objects/:id`, read by a statement of their own (when there is no edgesSql). */
  edgesOf?: EdgesProvider;
  beforeDelete?: BeforeDeleteHook;
  afterWrite?: AfterWriteHook;
}

export const objectHooksPoint = createExtensionPoint<ObjectHooks>({ id: 'objects.hooks', owner: 'objects' });

/** Runs the registered hooks (read live: a contributor that failed is not among them). */
export class ObjectHookRunner {
  constructor(private readonly registrations: ExtensionPointRegistrations<ObjectHooks>) {}

  /**
   * The edgesSql expressions to read with the object (those that have edges to show).
   * Written for the read by id, which asks on every request: one provider (the usual
   * case) is awaited alone, without the arrays and Promise.all of the general case.
   */
  async edgesSql(workspaceId: string): Promise<string[]> {
    const providers: EdgesSql[] = [];
    for (const hooks of this.registrations.values()) if (hooks.edgesSql) providers.push(hooks.edgesSql);
    if (providers.length === 0) return [];
    if (providers.length === 1) {
      const expression = await providers[0]!(workspaceId);
      return expression === undefined ? [] : [expression];
    }
    const expressions = await Promise.all(providers.map((provide) => provide(workspaceId)));
    return expressions.filter((expression) => expression !== undefined);
  }

  /** Whether any hook reads edges separately (edgesOf without edgesSql). */
  hasSeparateEdges(): boolean {
    return this.registrations.values().some((hooks) => hooks.edgesOf && !hooks.edgesSql);
  }

  /** Edges from the hooks that read them separately (edgesOf without edgesSql). */
  async edgesOf(db: Db, workspaceId: string, objectId: string, limit?: number): Promise<ObjectEdge[]> {
    const providers = this.registrations
      .values()
      .flatMap((hooks) => (hooks.edgesOf && !hooks.edgesSql ? [hooks.edgesOf] : []));
    if (providers.length === 0) return [];
    const lists = await Promise.all(providers.map((provide) => provide(db, workspaceId, objectId, limit)));
    return lists.flat();
  }

  async runAfterWrite(tx: Db, scope: WriteScope, written: WrittenObject[]): Promise<PreparedEvents[]> {
    const prepared: PreparedEvents[] = [];
    if (written.length === 0) return prepared;
    for (const hooks of this.registrations.values()) {
      const events = hooks.afterWrite ? await hooks.afterWrite(tx, scope, written) : undefined;
      if (events && events.events.length > 0) prepared.push(events);
    }
    return prepared;
  }

  async runBeforeDelete(tx: Db, scope: WriteScope, objectId: string): Promise<PendingEvents[]> {
    const pending: PendingEvents[] = [];
    for (const hooks of this.registrations.values()) {
      if (hooks.beforeDelete) pending.push(await hooks.beforeDelete(tx, scope, objectId));
    }
    return pending;
  }
}
