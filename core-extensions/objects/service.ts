/**
 * Objects, the domain logic: plain inputs and a transaction, no HTTP. Routes, MCP
 * tools and the graph extension (through the objects service ref) all write through
 * here, so validation against settings lives in one place.
 *
 * Writes are split into "prepare" (validate, write rows) and "record events": a
 * caller composing several writes in one transaction (bulk create, the graph) writes
 * all rows first and records every event last, which keeps the per-workspace event
 * sequence row locked for as short a time as possible (kernel/events/record-event.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  type Db,
  type ErrorDetail,
  type ExtensionDatabase,
  type ExtensionEvents,
  type ExtensionMembers,
  type PreparedEvents,
  validationError,
} from '@maskin/contract';
import type { ObjectHookRunner, PendingEvents, WriteScope } from './hooks.ts';
import type { ObjectLinksService } from './links.ts';
import { deleteObject, updateObject } from './mutations.ts';
import {
  existingObjectIds,
  getObject,
  getObjects,
  insertObjects,
  type ListFilters,
  listObjectsJson,
  objectNotFound,
  readObjectWithEdges,
} from './queries.ts';
import { type SearchFilters, searchObjects } from './search.ts';
import type { ObjectsSettings } from './settings.ts';
import type { WorkObject } from './table.ts';
import { atPath, checkMetadata, checkStatus, checkType, typeOf } from './validate.ts';

export interface CreateObjectInput {
  type: string;
  title: string;
  content?: string;
  status?: string;
  metadata?: Record<string, unknown>;
  driver_id?: string | null;
}

export interface UpdateObjectInput {
  title?: string;
  content?: string;
  status?: string;
  /** Merged into the stored metadata; a `null` value removes that key. */
  metadata?: Record<string, unknown>;
  driver_id?: string | null;
}

/** The result of a write whose events are still to be recorded (call `recordEvents` last). */
export interface Prepared<T> {
  value: T;
  recordEvents: PendingEvents;
}

/** How error paths name an item: `pathOf(3)` -> `3`, `nodes.3`, or undefined for a single object. */
export type ItemPath = (index: number) => string | undefined;

/** Edges shown on GET /objects/{id} unless the caller asks for another number (at most 200). */
export const DEFAULT_DETAIL_RELATIONSHIPS = 50;
/** Connected objects carry this much of their content; the full text is on their own GET. */
export const CONNECTED_CONTENT_CHARS = 2_000;
/** The detail's tail for an object without edges. */
const NO_EDGES = ',"relationships":[],"relationships_truncated":false,"connected_objects":[]}';

export class ObjectsService {
  constructor(
    private readonly database: ExtensionDatabase,
    private readonly events: ExtensionEvents,
    private readonly members: ExtensionMembers,
    readonly settings: (workspaceId: string) => Promise<ObjectsSettings>,
    private readonly hooks: ObjectHookRunner,
    private readonly links: ObjectLinksService,
  ) {}

  /** Validates every input (failing on the first bad item, named by `pathOf`), then inserts them all. */
  async prepareCreate(
    tx: Db,
    scope: WriteScope,
    inputs: CreateObjectInput[],
    pathOf: ItemPath,
  ): Promise<Prepared<WorkObject[]>> {
    const settings = await this.settings(scope.workspaceId);
    const statuses = inputs.map((input, index) => {
      const typeSettings = typeOf(settings, input.type);
      if (!typeSettings) throw invalidItem(pathOf(index), checkType(settings, input.type));
      const status = input.status ?? typeSettings.statuses[0]!;
      const problems = [
        ...checkStatus(typeSettings, input.type, status),
        ...checkMetadata(typeSettings, input.type, withoutNulls(input.metadata ?? {})),
      ];
      if (problems.length > 0) throw invalidItem(pathOf(index), problems);
      return status;
    });
    await this.checkDrivers(
      tx,
      scope.workspaceId,
      inputs.map((input) => input.driver_id),
      pathOf,
    );
    if (inputs.length === 0) return { value: [], recordEvents: async () => {} };
    const rows = inputs.map((input, index) => ({
      id: randomUUID(),
      type: input.type,
      title: input.title,
      content: input.content ?? '',
      status: statuses[index]!,
      metadata: withoutNulls(input.metadata ?? {}),
      driver_id: input.driver_id ?? null,
    }));
    const inserted = await insertObjects(tx, scope, rows);
    const byId = new Map(inserted.map((object) => [object.id, object]));
    const created = rows.map((row) => byId.get(row.id)!);
    const prepared = await this.hooks.runAfterWrite(
      tx,
      scope,
      created.map((object) => ({ object, created: true, changed: [] })),
    );
    return {
      value: created,
      // One statement for the whole batch (a bulk create is up to 500 objects), hooks' events included.
      recordEvents: async () => {
        await this.record(
          tx,
          scope,
          created.map((object) => ({
            type: 'object.created',
            id: object.id,
            data: {
              type: object.type,
              title: object.title,
              status: object.status,
              driver_id: object.driver_id,
            },
          })),
          prepared,
        );
      },
    };
  }

  /**
   * What `prepareCreate` would refuse in one input (type, status, metadata against
   * `settings`, from `this.settings(workspaceId)`), without throwing: for callers
   * that report bad items and write the good ones (imports). Drivers are not checked.
   */
  problemsOf(settings: ObjectsSettings, input: CreateObjectInput): ErrorDetail[] {
    const typeSettings = typeOf(settings, input.type);
    if (!typeSettings) return checkType(settings, input.type);
    return [
      ...checkStatus(typeSettings, input.type, input.status ?? typeSettings.statuses[0]!),
      ...checkMetadata(typeSettings, input.type, withoutNulls(input.metadata ?? {})),
    ];
  }

  async create(tx: Db, scope: WriteScope, inputs: CreateObjectInput[], pathOf: ItemPath) {
    const prepared = await this.prepareCreate(tx, scope, inputs, pathOf);
    await prepared.recordEvents();
    return prepared.value;
  }

  /** PATCH semantics; `expectedVersion` (from If-Match) makes a stale write a 412. */
  async update(tx: Db, scope: WriteScope, id: string, patch: UpdateObjectInput, expectedVersion?: number) {
    const settings = await this.settings(scope.workspaceId);
    if (patch.driver_id) await this.checkDrivers(tx, scope.workspaceId, [patch.driver_id], () => undefined);
    return updateObject(
      tx,
      { scope, settings, hooks: this.hooks, record: this.record },
      id,
      patch,
      expectedVersion,
    );
  }

  async delete(tx: Db, scope: WriteScope, id: string) {
    await deleteObject(tx, { scope, hooks: this.hooks, links: this.links, record: this.record }, id);
  }

  get(db: Db, workspaceId: string, id: string) {
    return getObject(db, workspaceId, id);
  }

  /**
   * The object with its newest `relationshipsLimit` edges and the objects at their other
   * ends, whose content is cut to CONNECTED_CONTENT_CHARS (issue 10, finding 3: an
   * object with 1,540 links answered 23.8 MB). `relationships_truncated` says there are
   * more: list them with GET /api/relationships?source=…/?target=… and read an object
   * in full with GET /api/objects/{id}.
   *
   * As the response's JSON text and the object's version (for its ETag): the object's
   * fields are PostgreSQL's JSON text with the three detail fields appended, so the
   * object is neither parsed nor serialised again in Node (6 µs of a GET's CPU).
   */
  async detailJson(
    workspaceId: string,
    id: string,
    relationshipsLimit = DEFAULT_DETAIL_RELATIONSHIPS,
  ): Promise<{ json: string; version: number }> {
    const { db } = this.database;
    // The object and the edges of the hooks that can read them with it (edgesSql) are one
    // statement; hooks that read edges separately overlap with it (an unknown id finds
    // no edges either).
    const limit = relationshipsLimit + 1;
    const reading = this.hooks
      .edgesSql(workspaceId)
      .then((edges) => readObjectWithEdges(this.database, workspaceId, id, limit, edges));
    const [read, separate] = this.hooks.hasSeparateEdges()
      ? await Promise.all([reading, this.hooks.edgesOf(db, workspaceId, id, limit)])
      : [await reading, []];
    if (!read) throw objectNotFound(id);
    // objectJson is one JSON object: its closing brace is its last character.
    if (read.edges.length === 0 && separate.length === 0) {
      return { json: read.objectJson.slice(0, -1) + NO_EDGES, version: read.version };
    }
    const edges = separate.length === 0 ? read.edges : [...read.edges, ...separate];
    edges.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    const relationships = edges.slice(0, relationshipsLimit);
    const otherIds = new Set(
      relationships.map((edge) => (edge.source_id === id ? edge.target_id : edge.source_id)),
    );
    otherIds.delete(id);
    const connected = (await getObjects(db, workspaceId, [...otherIds])).map((other) =>
      other.content.length > CONNECTED_CONTENT_CHARS
        ? { ...other, content: other.content.slice(0, CONNECTED_CONTENT_CHARS), content_truncated: true }
        : other,
    );
    const detail =
      `,"relationships":${JSON.stringify(relationships)}` +
      `,"relationships_truncated":${edges.length > relationshipsLimit}` +
      `,"connected_objects":${JSON.stringify(connected)}}`;
    // objectJson is one JSON object: its closing brace is its last character.
    return { json: read.objectJson.slice(0, -1) + detail, version: read.version };
  }

  getMany(db: Db, workspaceId: string, ids: string[]) {
    return getObjects(db, workspaceId, ids);
  }

  existingIds(db: Db, workspaceId: string, ids: string[]) {
    return existingObjectIds(db, workspaceId, ids);
  }

  /** A page of the list as its response JSON text (built by PostgreSQL, queries.ts). */
  listJson(workspaceId: string, filters: ListFilters): Promise<string> {
    return listObjectsJson(this.database, workspaceId, filters);
  }

  search(workspaceId: string, filters: SearchFilters) {
    return searchObjects(this.database, workspaceId, filters);
  }

  private async checkDrivers(
    tx: Db,
    workspaceId: string,
    driverIds: (string | null | undefined)[],
    pathOf: ItemPath,
  ) {
    const wanted = [...new Set(driverIds.filter((id): id is string => typeof id === 'string'))];
    if (wanted.length === 0) return;
    // Read in the writing transaction: a member removed concurrently is not accepted.
    const found = await this.members.membersAmong(workspaceId, wanted, tx);
    const index = driverIds.findIndex((id) => typeof id === 'string' && !found.has(id));
    if (index >= 0) {
      throw invalidItem(pathOf(index), [
        { path: 'driver_id', message: 'must be the id of a member (human or agent) of this workspace' },
      ]);
    }
  }

  private readonly record: RecordObjectEvents = (tx, scope, events, prepared) =>
    this.events.recordMany(
      tx,
      events.map((event) => ({
        workspaceId: scope.workspaceId,
        actorId: scope.actorId,
        type: event.type,
        entityType: 'object',
        entityId: event.id,
        data: event.data,
      })),
      prepared,
    );
}

/** An object event: its type, the object's id, its data. */
export interface ObjectEvent {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

/** Records a write's object events, then the events its hooks prepared, in one statement. */
export type RecordObjectEvents = (
  tx: Db,
  scope: WriteScope,
  events: ObjectEvent[],
  prepared?: readonly PreparedEvents[],
) => Promise<unknown>;

function withoutNulls(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== null));
}

export function invalidItem(prefix: string | undefined, problems: ErrorDetail[]) {
  const details = atPath(prefix, problems);
  const where = prefix === undefined ? '' : ` at ${prefix}`;
  return validationError(
    `Invalid object${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}
