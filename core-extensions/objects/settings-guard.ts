/**
 * Settings that existing objects contradict are refused, not stored: a workspace that
 * drops a type or a status still in use would leave those objects readable but
 * impossible to update (every write is validated against the settings). The admin
 * gets a 409 naming each type or status and how many objects use it, and moves or
 * deletes them first. Runs in the settings transaction (onSettingsChange).
 */
import { conflict, type Db, orm } from '../../kernel/contract/index.ts';
import type { ObjectsSettings } from './settings.ts';
import { objectsTable } from './table.ts';

export async function refuseSettingsThatStrandObjects(
  tx: Db,
  workspaceId: string,
  previous: ObjectsSettings,
  next: ObjectsSettings,
): Promise<void> {
  const usage = await tx
    .select({ type: objectsTable.type, status: objectsTable.status, n: orm.sql<number>`count(*)::int` })
    .from(objectsTable)
    .where(orm.eq(objectsTable.workspaceId, workspaceId))
    .groupBy(objectsTable.type, objectsTable.status)
    .orderBy(objectsTable.type, objectsTable.status);
  const stranded: string[] = [];
  for (const { type, status, n } of usage) {
    const kept = next.types[type];
    const objects = `${n} object${n === 1 ? '' : 's'}`;
    if (!kept) {
      if (previous.types[type]) stranded.push(`type "${type}" (${objects} in status "${status}")`);
    } else if (!kept.statuses.includes(status) && previous.types[type]?.statuses.includes(status)) {
      stranded.push(`status "${status}" of type "${type}" (${objects})`);
    }
  }
  if (stranded.length > 0) {
    throw conflict(
      `These settings remove what existing objects use: ${stranded.join(', ')}. Change or delete those objects first, or keep the ${stranded.length > 1 ? 'entries' : 'entry'}.`,
    );
  }
}
