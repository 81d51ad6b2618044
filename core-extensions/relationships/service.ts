/**
 * Relationships, the domain logic: typed edges between two objects of one workspace.
 * Plain inputs and a transaction, no HTTP. Object existence comes from the objects
 * service (its api.ts ref), never from its tables; the allowed types are this
 * extension's own settings. Writes follow objects' prepare / record-events-last split, so the graph
 * extension can write every row of a request before recording any event.
 */
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  afterTimeId,
  conflict,
  type Db,
  decodeTimeIdCursor,
  type ErrorDetail,
  type ExtensionEvents,
  notFound,
  orm,
  toPage,
  validationError,
} from '@maskin/contract';
import type { ItemPath, ObjectsService, Prepared, WriteScope } from '../objects/api.ts';
import { recordRelationshipEvent } from './object-hooks.ts';
import type { RelationshipsSettings } from './settings.ts';
import { type Relationship, relationshipsTable as r, toRelationshipJson } from './table.ts';

const { and, desc, eq } = orm;

export interface RelationshipInput {
  type: string;
  source_id: string;
  target_id: string;
}

export interface RelationshipFilters {
  source?: string;
  target?: string;
  type?: string;
  limit: number;
  cursor?: string;
}

/**
 * The list's statement, newest first, one row more than the page (it says whether
 * another page follows). An end filter pages through that end's index (workspace,
 * end, created_at desc, id desc). Exported so the plans benchmark explains it.
 */
export function listQuery(db: Db, workspaceId: string, filters: RelationshipFilters) {
  const conditions = [eq(r.workspaceId, workspaceId)];
  if (filters.source !== undefined) conditions.push(eq(r.sourceId, filters.source));
  if (filters.target !== undefined) conditions.push(eq(r.targetId, filters.target));
  if (filters.type !== undefined) conditions.push(eq(r.type, filters.type));
  if (filters.cursor) {
    const { at: when, id } = decodeTimeIdCursor(filters.cursor);
    conditions.push(afterTimeId('desc', { time: r.createdAt, id: r.id }, { at: when, id: id }));
  }
  return db
    .select()
    .from(r)
    .where(and(...conditions))
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(filters.limit + 1);
}

const at = (prefix: string | undefined, field: string) =>
  prefix === undefined ? field : `${prefix}.${field}`;
const keyOf = (edge: RelationshipInput) => `${edge.source_id}|${edge.target_id}|${edge.type}`;

function fail(make: (message: string, details: ErrorDetail[]) => ApiError, path: string, message: string) {
  return make(`Invalid relationship: ${path}: ${message}`, [{ path, message }]);
}
const missing = (message: string, details: ErrorDetail[]) => new ApiError(404, 'NOT_FOUND', message, details);

export class RelationshipsService {
  constructor(
    private readonly events: ExtensionEvents,
    private readonly objects: ObjectsService,
    private readonly settings: (workspaceId: string) => Promise<RelationshipsSettings>,
  ) {}

  /** Validates every edge (first bad one named by `pathOf`), then inserts them all. */
  async prepareCreate(
    tx: Db,
    scope: WriteScope,
    inputs: RelationshipInput[],
    pathOf: ItemPath,
  ): Promise<Prepared<Relationship[]>> {
    const { relationship_types: types } = await this.settings(scope.workspaceId);
    const ends = [...new Set(inputs.flatMap((edge) => [edge.source_id, edge.target_id]))];
    const existing = await this.objects.existingIds(tx, scope.workspaceId, ends);
    const seen = new Map<string, number>();
    inputs.forEach((edge, index) => {
      const prefix = pathOf(index);
      if (!types.includes(edge.type)) {
        throw fail(
          validationError,
          at(prefix, 'type'),
          `"${edge.type}" is not a relationship type here; allowed: ${types.join(', ')}`,
        );
      }
      for (const end of ['source_id', 'target_id'] as const) {
        if (!existing.has(edge[end])) {
          throw fail(missing, at(prefix, end), `object ${edge[end]} not found in this workspace`);
        }
      }
      if (edge.source_id === edge.target_id) {
        throw fail(validationError, at(prefix, 'target_id'), 'must differ from source_id');
      }
      const earlier = seen.get(keyOf(edge));
      if (earlier !== undefined) {
        throw fail(conflict, at(prefix, 'type'), `repeats the relationship at ${pathOf(earlier) ?? earlier}`);
      }
      seen.set(keyOf(edge), index);
    });
    await this.refuseExisting(tx, scope.workspaceId, inputs, pathOf);
    if (inputs.length === 0) return { value: [], recordEvents: async () => {} };
    const rows = inputs.map((edge) => ({
      id: randomUUID(),
      workspaceId: scope.workspaceId,
      type: edge.type,
      sourceId: edge.source_id,
      targetId: edge.target_id,
      createdBy: scope.actorId,
      createdAt: orm.sql`date_trunc('milliseconds', now())`,
    }));
    const inserted = await tx.insert(r).values(rows).returning();
    const byId = new Map(inserted.map((row) => [row.id, toRelationshipJson(row)]));
    const created = rows.map((row) => byId.get(row.id)!);
    return {
      value: created,
      recordEvents: async () => {
        for (const edge of created) await this.record(tx, scope, 'relationship.created', edge);
      },
    };
  }

  async create(tx: Db, scope: WriteScope, input: RelationshipInput) {
    const prepared = await this.prepareCreate(tx, scope, [input], () => undefined);
    await prepared.recordEvents();
    return prepared.value[0]!;
  }

  async list(db: Db, workspaceId: string, filters: RelationshipFilters) {
    const rows = await listQuery(db, workspaceId, filters);
    return toPage(rows, filters.limit, toRelationshipJson, (row) => [row.createdAt.toISOString(), row.id]);
  }

  async delete(tx: Db, scope: WriteScope, id: string) {
    const [row] = await tx
      .delete(r)
      .where(and(eq(r.workspaceId, scope.workspaceId), eq(r.id, id)))
      .returning();
    if (!row) throw notFound(`Relationship ${id} not found in this workspace`);
    await this.record(tx, scope, 'relationship.deleted', toRelationshipJson(row));
  }

  /** Relationship types that existing edges use and `next` no longer lists (refused by onSettingsChange). */
  async typesInUseDroppedBy(
    tx: Db,
    workspaceId: string,
    previous: string[],
    next: string[],
  ): Promise<string[]> {
    const dropped = previous.filter((type) => !next.includes(type));
    if (dropped.length === 0) return [];
    const used = await tx
      .select({ type: r.type, n: orm.sql<number>`count(*)::int` })
      .from(r)
      .where(and(eq(r.workspaceId, workspaceId), orm.inArray(r.type, dropped)))
      .groupBy(r.type)
      .orderBy(r.type);
    return used.map(
      ({ type, n }) => `relationship type "${type}" is used by ${n} relationship${n === 1 ? '' : 's'}`,
    );
  }

  private async refuseExisting(tx: Db, workspaceId: string, inputs: RelationshipInput[], pathOf: ItemPath) {
    if (inputs.length === 0) return;
    const sources = [...new Set(inputs.map((edge) => edge.source_id))];
    const stored = await tx
      .select({ type: r.type, source_id: r.sourceId, target_id: r.targetId })
      .from(r)
      .where(and(eq(r.workspaceId, workspaceId), orm.inArray(r.sourceId, sources)));
    const storedKeys = new Set(stored.map(keyOf));
    const index = inputs.findIndex((edge) => storedKeys.has(keyOf(edge)));
    if (index >= 0) {
      const edge = inputs[index]!;
      throw fail(
        conflict,
        at(pathOf(index), 'type'),
        `the relationship ${edge.type} from ${edge.source_id} to ${edge.target_id} already exists`,
      );
    }
  }

  private record(
    tx: Db,
    scope: WriteScope,
    type: 'relationship.created' | 'relationship.deleted',
    edge: Relationship,
  ) {
    return recordRelationshipEvent(this.events, tx, scope, type, edge);
  }
}
