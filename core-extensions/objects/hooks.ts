/**
 * Extension points that let an extension which requires `objects` attach data to
 * objects without `objects` knowing about it.
 *
 * Why: relationships requires objects, so objects cannot call relationships (that
 * would be a dependency cycle), yet `GET /objects/:id` must show an object's edges
 * and `DELETE /objects/:id` must remove them. Relationships registers a links
 * provider, a delete hook and a settings guard (relationship types in use) here, through the objects service ref, at setup. The
 * edge table stays relationships' own (its migration; a composite foreign key on
 * objects(workspace_id, id) with ON DELETE CASCADE is the safety net), and every
 * cross-extension call still goes through an api.ts ref: relationships -> objects.
 *
 * Registration happens once at boot (setup runs in dependency order), never at
 * request time, so nothing here is per-process mutable state that several instances
 * could disagree on.
 */
import type { Db } from '../../kernel/contract/index.ts';
import type { ObjectsSettings } from './settings.ts';

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
export type LinksProvider = (db: Db, workspaceId: string, objectId: string) => Promise<ObjectEdge[]>;

/** Runs inside the deleting transaction before the object row goes; returns its pending events. */
export type BeforeDeleteHook = (tx: Db, scope: WriteScope, objectId: string) => Promise<PendingEvents>;

/**
 * Runs in the transaction that changes the objects settings of a workspace; returns
 * what existing data contradicts (e.g. `relationship type "blocks" is used by 2 edges`).
 */
export type SettingsGuard = (
  tx: Db,
  workspaceId: string,
  previous: ObjectsSettings,
  next: ObjectsSettings,
) => Promise<string[]>;

export class ObjectHooks {
  private readonly linkProviders: LinksProvider[] = [];
  private readonly beforeDeleteHooks: BeforeDeleteHook[] = [];
  private readonly settingsGuards: SettingsGuard[] = [];

  /** Called by a dependent extension during its setup. */
  provideLinks(provider: LinksProvider): void {
    this.linkProviders.push(provider);
  }

  /** Called by a dependent extension during its setup. */
  beforeDelete(hook: BeforeDeleteHook): void {
    this.beforeDeleteHooks.push(hook);
  }

  /** Called by a dependent extension during its setup, for settings its data relies on. */
  guardSettings(guard: SettingsGuard): void {
    this.settingsGuards.push(guard);
  }

  async settingsConflicts(
    tx: Db,
    workspaceId: string,
    previous: ObjectsSettings,
    next: ObjectsSettings,
  ): Promise<string[]> {
    const found: string[] = [];
    for (const guard of this.settingsGuards) found.push(...(await guard(tx, workspaceId, previous, next)));
    return found;
  }

  async linksOf(db: Db, workspaceId: string, objectId: string): Promise<ObjectEdge[]> {
    const lists = await Promise.all(this.linkProviders.map((provide) => provide(db, workspaceId, objectId)));
    return lists.flat();
  }

  async runBeforeDelete(tx: Db, scope: WriteScope, objectId: string): Promise<PendingEvents[]> {
    const pending: PendingEvents[] = [];
    for (const hook of this.beforeDeleteHooks) pending.push(await hook(tx, scope, objectId));
    return pending;
  }
}
