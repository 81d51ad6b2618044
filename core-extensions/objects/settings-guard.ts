/**
 * Settings that existing objects contradict are refused, not stored: every write is
 * validated against the settings, so a workspace that drops a type or status still
 * in use, makes a field required that objects lack, removes an enum option they hold
 * or changes a field's kind would leave those objects readable but impossible to
 * update. The admin gets a 409 naming each problem and how many objects have it, and
 * changes those objects first. Runs in the settings transaction (onSettingsChange).
 *
 * Metadata is checked with the write path's own validator (validate.ts), so the rule
 * stays in one place; only types whose field definitions changed are read, in pages.
 */
import { conflict, type Db, orm } from '@maskin/contract';
import type { ObjectsSettings, ObjectTypeSettings } from './settings.ts';
import { objectsTable as o } from './table.ts';
import { checkMetadata, typeOf } from './validate.ts';

const PAGE = 1_000;

const plural = (n: number) => `${n} object${n === 1 ? '' : 's'}`;

export async function refuseSettingsThatStrandObjects(
  tx: Db,
  workspaceId: string,
  previous: ObjectsSettings,
  next: ObjectsSettings,
): Promise<void> {
  const stranded = [
    ...(await strandedTypesAndStatuses(tx, workspaceId, previous, next)),
    ...(await strandedMetadata(tx, workspaceId, previous, next)),
  ];
  if (stranded.length > 0) {
    throw conflict(
      `These settings contradict existing data: ${stranded.join('; ')}. Change or delete those records first, or keep what they use.`,
    );
  }
}

async function strandedTypesAndStatuses(
  tx: Db,
  workspaceId: string,
  previous: ObjectsSettings,
  next: ObjectsSettings,
): Promise<string[]> {
  const usage = await tx
    .select({ type: o.type, status: o.status, n: orm.sql<number>`count(*)::int` })
    .from(o)
    .where(orm.eq(o.workspaceId, workspaceId))
    .groupBy(o.type, o.status)
    .orderBy(o.type, o.status);
  const stranded: string[] = [];
  for (const { type, status, n } of usage) {
    const kept = typeOf(next, type);
    const before = typeOf(previous, type);
    if (!kept) {
      if (before) stranded.push(`type "${type}" is used by ${plural(n)} in status "${status}"`);
    } else if (!kept.statuses.includes(status) && before?.statuses.includes(status)) {
      stranded.push(`status "${status}" of type "${type}" is used by ${plural(n)}`);
    }
  }
  return stranded;
}

const metadataRules = (type: ObjectTypeSettings) =>
  JSON.stringify({ fields: type.fields, strict: type.strict_metadata });

async function strandedMetadata(
  tx: Db,
  workspaceId: string,
  previous: ObjectsSettings,
  next: ObjectsSettings,
): Promise<string[]> {
  const stranded: string[] = [];
  for (const [type, rules] of Object.entries(next.types)) {
    const before = typeOf(previous, type);
    if (!before || metadataRules(before) === metadataRules(rules)) continue;
    const counts = new Map<string, number>();
    let after: string | undefined;
    for (;;) {
      const page = await tx
        .select({ id: o.id, metadata: o.metadata })
        .from(o)
        .where(
          orm.and(
            orm.eq(o.workspaceId, workspaceId),
            orm.eq(o.type, type),
            after ? orm.gt(o.id, after) : undefined,
          ),
        )
        .orderBy(o.id)
        .limit(PAGE);
      for (const row of page) {
        for (const problem of checkMetadata(rules, type, row.metadata)) {
          const key = `${problem.path} (${problem.message})`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    for (const [problem, n] of counts) stranded.push(`${plural(n)} of type "${type}" would fail ${problem}`);
  }
  return stranded;
}
