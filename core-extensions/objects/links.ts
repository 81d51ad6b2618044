/**
 * Links: one way for any extension to attach its records to objects (a session
 * working on a task, a file on a bet, a comment, a notification), so objects does
 * not grow a hook per attacher.
 *
 * Who may do what, and why it holds:
 * - The caller's extension id is never an argument. `objectLinksRef` is built per
 *   asking extension (an extension-scoped service factory), so `forExtension(id)` is
 *   called by the kernel with the id of the extension whose deps name the ref. A
 *   link's record is namespaced by that id: an extension can only create, remove and
 *   look up links of its own records, while every link of an object is readable.
 * - A link stays inside one workspace: the object is looked up (and key-share
 *   locked, so a concurrent delete waits for this transaction) in the workspace
 *   given, and the composite foreign key on objects(workspace_id, id) refuses any
 *   other pairing. An object of another workspace is a 404, as if it did not exist.
 * - Deleting an object removes its links in the same transaction, records
 *   `object.unlinked` for each, and calls each linker's `onObjectDeleted` (through
 *   `objectLinkHooksPoint`) with its own links only, so it can clean up its records
 *   in that transaction. A linker that failed to start is not called.
 */
import {
  afterTimeId,
  createExtensionPoint,
  type Db,
  decodeTimeIdCursor,
  type ExtensionEvents,
  type ExtensionPointRegistrations,
  orm,
  toPage,
  validationError,
} from '@maskin/contract';
import type { PendingEvents, WriteScope } from './hooks.ts';
import {
  objectLinksTable as l,
  type ObjectLink,
  type ObjectLinkRow,
  toObjectLinkJson,
} from './links-table.ts';
import { objectNotFound } from './queries.ts';
import { objectsTable as o } from './table.ts';

const { and, desc, eq } = orm;

const RECORD_TYPE = /^[a-z][a-z0-9_]*$/;
const MAX_RECORD_ID = 200;

export interface LinkInput {
  workspaceId: string;
  objectId: string;
  /** Your kind of record, lowercase snake_case (e.g. `session`, `file`). */
  recordType: string;
  /** Your record's id (any string up to 200 characters). */
  recordId: string;
  /** Who linked it (the event's actor); null for work no actor started. */
  actorId: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export interface LinkPage {
  items: ObjectLink[];
  next_cursor: string | null;
}

/** The calling extension's view of links (what `objectLinksRef` gives). */
export interface ObjectLinks {
  /** Attaches your record to an object; linking the same record again returns the existing link. 404 if the object is not in that workspace. */
  link(tx: Db, input: LinkInput): Promise<ObjectLink>;
  /** Removes your record's link to an object; false when there was none. */
  unlink(tx: Db, input: LinkInput): Promise<boolean>;
  /** Every link of an object (any extension's), newest first, a keyset page. */
  linksOf(db: Db, workspaceId: string, objectId: string, page?: PageRequest): Promise<LinkPage>;
  /** The ids of the objects your record is linked to in a workspace. */
  objectsLinkedTo(
    db: Db,
    record: { workspaceId: string; recordType: string; recordId: string },
  ): Promise<string[]>;
}

/** What a linker hears when an object with its links is deleted (inside the deleting transaction). */
export interface ObjectDeletedContext {
  tx: Db;
  workspaceId: string;
  actorId: string;
  objectId: string;
  /** This extension's links of the object, already removed. */
  links: ObjectLink[];
}

export interface ObjectLinkHooks {
  onObjectDeleted(context: ObjectDeletedContext): Promise<void>;
}

export const objectLinkHooksPoint = createExtensionPoint<ObjectLinkHooks>({
  id: 'objects.link-hooks',
  owner: 'objects',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Problem = { path: string; message: string };

function refuse(problems: Problem[]) {
  if (problems.length > 0) {
    throw validationError(
      `Invalid link: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    );
  }
}

const uuidProblems = (ids: Record<string, string>): Problem[] =>
  Object.entries(ids).flatMap(([path, id]) => (UUID.test(id) ? [] : [{ path, message: 'must be a UUID' }]));

/** Bad input from the calling extension is a 400 naming the field, before anything is read. */
function checkRecord(input: {
  workspaceId: string;
  objectId?: string;
  recordType: string;
  recordId: string;
}) {
  const problems = uuidProblems({
    workspace_id: input.workspaceId,
    ...(input.objectId === undefined ? {} : { object_id: input.objectId }),
  });
  if (!RECORD_TYPE.test(input.recordType) || input.recordType.length > 50) {
    problems.push({ path: 'record_type', message: 'must be lowercase snake_case, at most 50 characters' });
  }
  if (input.recordId.length === 0 || input.recordId.length > MAX_RECORD_ID) {
    problems.push({ path: 'record_id', message: `must be 1 to ${MAX_RECORD_ID} characters` });
  }
  refuse(problems);
}

const sameLink = (extensionId: string, input: LinkInput) =>
  and(
    eq(l.workspaceId, input.workspaceId),
    eq(l.objectId, input.objectId),
    eq(l.extensionId, extensionId),
    eq(l.recordType, input.recordType),
    eq(l.recordId, input.recordId),
  );

const byCreation = (a: ObjectLinkRow, b: ObjectLinkRow) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

export class ObjectLinksService {
  constructor(
    private readonly events: ExtensionEvents,
    private readonly hooks: ExtensionPointRegistrations<ObjectLinkHooks>,
  ) {}

  forExtension(extensionId: string): ObjectLinks {
    return {
      link: (tx, input) => this.link(tx, extensionId, input),
      unlink: (tx, input) => this.unlink(tx, extensionId, input),
      linksOf: (db, workspaceId, objectId, page) => this.linksOf(db, workspaceId, objectId, page),
      objectsLinkedTo: (db, record) => this.objectsLinkedTo(db, extensionId, record),
    };
  }

  async link(tx: Db, extensionId: string, input: LinkInput): Promise<ObjectLink> {
    checkRecord(input);
    await this.lockObject(tx, input.workspaceId, input.objectId);
    const [inserted] = await tx
      .insert(l)
      .values({
        workspaceId: input.workspaceId,
        objectId: input.objectId,
        extensionId,
        recordType: input.recordType,
        recordId: input.recordId,
        createdBy: input.actorId,
        createdAt: orm.sql`date_trunc('milliseconds', now())`,
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted) {
      const [existing] = await tx.select().from(l).where(sameLink(extensionId, input));
      return toObjectLinkJson(existing!);
    }
    const link = toObjectLinkJson(inserted);
    await this.record(tx, input.workspaceId, input.actorId, 'object.linked', link);
    return link;
  }

  async unlink(tx: Db, extensionId: string, input: LinkInput): Promise<boolean> {
    checkRecord(input);
    const [removed] = await tx.delete(l).where(sameLink(extensionId, input)).returning();
    if (!removed) return false;
    await this.record(tx, input.workspaceId, input.actorId, 'object.unlinked', toObjectLinkJson(removed));
    return true;
  }

  async linksOf(db: Db, workspaceId: string, objectId: string, page: PageRequest = {}): Promise<LinkPage> {
    refuse(uuidProblems({ workspace_id: workspaceId, object_id: objectId }));
    const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
    const conditions = [eq(l.workspaceId, workspaceId), eq(l.objectId, objectId)];
    if (page.cursor) {
      const { at: when, id } = decodeTimeIdCursor(page.cursor);
      conditions.push(afterTimeId('desc', { time: l.createdAt, id: l.id }, { at: when, id: id }));
    }
    const rows = await db
      .select()
      .from(l)
      .where(and(...conditions))
      .orderBy(desc(l.createdAt), desc(l.id))
      .limit(limit + 1);
    return toPage(rows, limit, toObjectLinkJson, (row) => [row.createdAt.toISOString(), row.id]);
  }

  async objectsLinkedTo(
    db: Db,
    extensionId: string,
    record: { workspaceId: string; recordType: string; recordId: string },
  ): Promise<string[]> {
    checkRecord(record);
    const rows = await db
      .select({ objectId: l.objectId })
      .from(l)
      .where(
        and(
          eq(l.workspaceId, record.workspaceId),
          eq(l.extensionId, extensionId),
          eq(l.recordType, record.recordType),
          eq(l.recordId, record.recordId),
        ),
      )
      .orderBy(l.objectId);
    return rows.map((row) => row.objectId);
  }

  /**
   * Part of deleting an object (the object row is locked already): removes its links,
   * lets each linker clean up, and returns the `object.unlinked` events to record.
   */
  async removeLinksOfDeleted(tx: Db, scope: WriteScope, objectId: string): Promise<PendingEvents> {
    const removed = (
      await tx
        .delete(l)
        .where(and(eq(l.workspaceId, scope.workspaceId), eq(l.objectId, objectId)))
        .returning()
    )
      .sort(byCreation)
      .map(toObjectLinkJson);
    if (removed.length > 0) {
      for (const { extensionId, value } of this.hooks.entries()) {
        const links = removed.filter((link) => link.extension_id === extensionId);
        if (links.length > 0) {
          await value.onObjectDeleted({
            tx,
            workspaceId: scope.workspaceId,
            actorId: scope.actorId,
            objectId,
            links,
          });
        }
      }
    }
    return async () => {
      for (const link of removed) {
        await this.record(tx, scope.workspaceId, scope.actorId, 'object.unlinked', link);
      }
    };
  }

  private async lockObject(tx: Db, workspaceId: string, objectId: string) {
    const [found] = await tx
      .select({ id: o.id })
      .from(o)
      .where(and(eq(o.workspaceId, workspaceId), eq(o.id, objectId)))
      .for('key share');
    if (!found) throw objectNotFound(objectId);
  }

  private record(tx: Db, workspaceId: string, actorId: string | null, type: string, link: ObjectLink) {
    return this.events.record(tx, {
      workspaceId,
      actorId,
      type,
      entityType: 'object',
      entityId: link.object_id,
      data: {
        link_id: link.id,
        extension_id: link.extension_id,
        record_type: link.record_type,
        record_id: link.record_id,
      },
    });
  }
}
