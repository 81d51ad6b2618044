/**
 * PATCH and DELETE of one object. Both lock the row first (SELECT ... FOR UPDATE):
 * the metadata merge and the settings check need the current state, and the If-Match
 * comparison must see the version that the update will replace, not an older one.
 */
import { type Db, orm, preconditionFailed, validationError } from '@maskin/contract';
import type { ObjectHookRunner, WriteScope } from './hooks.ts';
import type { ObjectLinksService } from './links.ts';
import { objectNotFound } from './queries.ts';
import type { ObjectEvent, RecordObjectEvents, UpdateObjectInput } from './service.ts';
import type { ObjectsSettings } from './settings.ts';
import { objectsTable as o, toObjectJson } from './table.ts';
import { checkMetadata, checkStatus, typeOf } from './validate.ts';

const { and, eq, sql } = orm;

async function lockObject(tx: Db, workspaceId: string, id: string) {
  const [row] = await tx
    .select()
    .from(o)
    .where(and(eq(o.workspaceId, workspaceId), eq(o.id, id)))
    .for('update');
  if (!row) throw objectNotFound(id);
  return row;
}

function mergeMetadata(stored: Record<string, unknown>, patch: Record<string, unknown>) {
  const merged = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function updateObject(
  tx: Db,
  context: {
    scope: WriteScope;
    settings: ObjectsSettings;
    hooks: ObjectHookRunner;
    record: RecordObjectEvents;
  },
  id: string,
  patch: UpdateObjectInput,
  expectedVersion: number | undefined,
) {
  const { scope, settings, hooks, record } = context;
  const current = await lockObject(tx, scope.workspaceId, id);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw preconditionFailed(
      `Object ${id} is at version ${current.version}, not ${expectedVersion} (If-Match): someone changed it since you read it. GET it again and reapply your change.`,
    );
  }
  const typeSettings = typeOf(settings, current.type);
  if (!typeSettings) {
    throw validationError(
      `Type "${current.type}" of object ${id} is no longer defined in this workspace's settings`,
      [
        {
          path: 'type',
          message: 'no longer defined; add it back to the objects settings to edit this object',
        },
      ],
    );
  }
  const status = patch.status ?? current.status;
  const metadata = patch.metadata ? mergeMetadata(current.metadata, patch.metadata) : current.metadata;
  const problems = [
    ...(patch.status !== undefined ? checkStatus(typeSettings, current.type, status) : []),
    ...(patch.metadata !== undefined ? checkMetadata(typeSettings, current.type, metadata) : []),
  ];
  if (problems.length > 0) {
    throw validationError(
      `Invalid update: ${problems.map((d) => `${d.path} ${d.message}`).join('; ')}`,
      problems,
    );
  }
  const [row] = await tx
    .update(o)
    .set({
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.content !== undefined && { content: patch.content }),
      ...(patch.driver_id !== undefined && { driverId: patch.driver_id }),
      status,
      metadata,
      version: sql`${o.version} + 1`,
      updatedAt: sql`date_trunc('milliseconds', now())`,
    })
    .where(and(eq(o.workspaceId, scope.workspaceId), eq(o.id, id)))
    .returning();
  const updated = toObjectJson(row!);
  const changed = Object.keys(patch);
  const prepared = await hooks.runAfterWrite(tx, scope, [{ object: updated, created: false, changed }]);
  // the object's type rides along so consumers (triggers' entity_type) need not read the object
  const events: ObjectEvent[] = [
    { type: 'object.updated', id, data: { type: current.type, changed, version: updated.version } },
  ];
  if (status !== current.status) {
    events.push({
      type: 'object.status_changed',
      id,
      data: { type: current.type, from: current.status, to: status },
    });
  }
  await record(tx, scope, events, prepared);
  return updated;
}

export async function deleteObject(
  tx: Db,
  context: {
    scope: WriteScope;
    hooks: ObjectHookRunner;
    links: ObjectLinksService;
    record: RecordObjectEvents;
  },
  id: string,
) {
  const { scope, hooks, links, record } = context;
  const current = await lockObject(tx, scope.workspaceId, id);
  const pending = await hooks.runBeforeDelete(tx, scope, id);
  pending.push(await links.removeLinksOfDeleted(tx, scope, id));
  await tx.delete(o).where(and(eq(o.workspaceId, scope.workspaceId), eq(o.id, id)));
  for (const recordEvents of pending) await recordEvents();
  await record(tx, scope, [
    { type: 'object.deleted', id, data: { type: current.type, title: current.title } },
  ]);
}
