/**
 * Files, the domain logic: plain inputs, no HTTP. The upload route, the imports
 * extension (through api.ts) and tests all store bytes through `upload`.
 *
 * An upload streams to the blob store through an inspector (size, SHA-256, first
 * bytes), so nothing holds the file. Limits are checked twice: while streaming (the
 * smaller of the file limit and the quota left, so an oversized upload stops at the
 * first byte past it) and again when the row is written, under a per-workspace
 * advisory lock, so two concurrent uploads cannot both take the last of the quota.
 * The row, the objects link and `file.uploaded` commit together; if that transaction
 * fails the blob is deleted. Deleting removes the row (and link, with `file.deleted`)
 * first and the blob after the commit: a crash in between leaves an unreachable blob,
 * never a row without bytes.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  ApiError,
  afterTimeId,
  type BlobRange,
  type Db,
  decodeTimeIdCursor,
  type ExtensionBlobs,
  type ExtensionEvents,
  notFound,
  orm,
  toPage,
} from '@maskin/contract';
import type { ObjectLinks, ObjectsService } from '../objects/api.ts';
import { safeFileName } from './disposition.ts';
import { UploadInspector } from './inspector.ts';
import type { FilesSettings } from './settings.ts';
import { sniffContentType } from './sniff.ts';
import { type FileRecord, filesTable as f, toFileJson } from './table.ts';

const { and, desc, eq, sql } = orm;

export interface UploadInput {
  workspaceId: string;
  actorId: string;
  stream: Readable;
  /** The client's file name (reduced to a safe base name). */
  filename: string;
  /** What the client said the type is: kept for reference, never served. */
  declaredType?: string;
  /** Attach the file to this object (a link in objects). */
  objectId?: string | null;
}

export interface ListFilesInput {
  objectId?: string;
  limit: number;
  cursor?: string;
}

export interface OpenedFile {
  file: FileRecord;
  body: Readable;
  /** The inclusive byte range in `body`. */
  range: { start: number; end: number };
}

export interface FilesUsage {
  used_bytes: number;
  quota_bytes: number;
  /** The quota left. */
  available_bytes: number;
  /** The largest file accepted (the workspace setting, capped by the installation's). */
  max_file_bytes: number;
}

type Events = ExtensionEvents<'file.uploaded' | 'file.deleted'>;

const blobKey = (id: string) => `files/${id}`;
const RECORD_TYPE = 'file';

export class FilesService {
  constructor(
    private readonly db: Db,
    private readonly events: Events,
    private readonly blobs: ExtensionBlobs,
    private readonly links: ObjectLinks,
    private readonly objects: ObjectsService,
    private readonly settings: (workspaceId: string) => Promise<FilesSettings>,
    /** The installation's ceiling (the upload route's body limit). */
    private readonly maxUploadBytes: number,
  ) {}

  async usage(workspaceId: string, db: Db = this.db): Promise<FilesUsage> {
    const settings = await this.settings(workspaceId);
    const [row] = await db
      .select({ used: sql<string>`coalesce(sum(${f.size}), 0)::text` })
      .from(f)
      .where(eq(f.workspaceId, workspaceId));
    const used = Number(row?.used ?? 0);
    return {
      used_bytes: used,
      quota_bytes: settings.quota_bytes,
      available_bytes: Math.max(0, settings.quota_bytes - used),
      max_file_bytes: Math.min(settings.max_file_bytes, this.maxUploadBytes),
    };
  }

  /** The most bytes an upload to this workspace may have right now (file limit, quota left). */
  async uploadAllowance(
    workspaceId: string,
  ): Promise<{ limit: number; byQuota: boolean; usage: FilesUsage }> {
    const usage = await this.usage(workspaceId);
    const left = usage.available_bytes;
    return { limit: Math.min(usage.max_file_bytes, left), byQuota: left < usage.max_file_bytes, usage };
  }

  async upload(input: UploadInput): Promise<FileRecord> {
    const { workspaceId } = input;
    if (input.objectId) {
      const found = await this.objects.existingIds(this.db, workspaceId, [input.objectId]);
      if (!found.has(input.objectId)) {
        input.stream.resume();
        throw notFound(`Object ${input.objectId} not found in this workspace`);
      }
    }
    const { limit, byQuota, usage } = await this.uploadAllowance(workspaceId);
    const overLimit = () => (byQuota ? quotaExceeded(usage) : fileTooLarge(usage.max_file_bytes));
    if (limit === 0 && byQuota) {
      input.stream.resume();
      throw overLimit();
    }
    const id = randomUUID();
    const inspector = new UploadInspector(limit, overLimit);
    // blobs.put sees the error and rejects with it; this only keeps it from being "unhandled".
    inspector.on('error', () => {});
    input.stream.on('error', (error) => inspector.destroy(error));
    input.stream.pipe(inspector);
    try {
      await this.blobs.put(workspaceId, blobKey(id), inspector);
    } catch (error) {
      input.stream.destroy();
      throw error;
    }
    const name = safeFileName(input.filename);
    try {
      return await this.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`files:${workspaceId}`}))`);
        const current = await this.usage(workspaceId, tx);
        if (current.used_bytes + inspector.size > current.quota_bytes) throw quotaExceeded(current);
        const [row] = await tx
          .insert(f)
          .values({
            id,
            workspaceId,
            name,
            contentType: sniffContentType(inspector.head, name, inspector.size <= inspector.head.length),
            declaredType: input.declaredType?.slice(0, 200) || null,
            size: inspector.size,
            sha256: inspector.digest(),
            objectId: input.objectId ?? null,
            createdBy: input.actorId,
            createdAt: sql`date_trunc('milliseconds', now())`,
          })
          .returning();
        const file = toFileJson(row!);
        if (input.objectId) {
          await this.links.link(tx, {
            workspaceId,
            objectId: input.objectId,
            recordType: RECORD_TYPE,
            recordId: id,
            actorId: input.actorId,
          });
        }
        await this.events.record(tx, {
          workspaceId,
          actorId: input.actorId,
          type: 'file.uploaded',
          entityType: 'file',
          entityId: id,
          data: {
            name: file.name,
            content_type: file.content_type,
            size: file.size,
            sha256: file.sha256,
            object_id: file.object_id,
          },
        });
        return file;
      });
    } catch (error) {
      await this.blobs.delete(workspaceId, blobKey(id)).catch(() => {});
      throw error;
    }
  }

  async get(workspaceId: string, id: string, db: Db = this.db): Promise<FileRecord> {
    const [row] = await db
      .select()
      .from(f)
      .where(and(eq(f.workspaceId, workspaceId), eq(f.id, id)));
    if (!row) throw notFound(`File ${id} not found in this workspace`);
    return toFileJson(row);
  }

  async list(workspaceId: string, filters: ListFilesInput) {
    const conditions = [eq(f.workspaceId, workspaceId)];
    if (filters.objectId) conditions.push(eq(f.objectId, filters.objectId));
    if (filters.cursor) {
      const { at, id } = decodeTimeIdCursor(filters.cursor);
      conditions.push(afterTimeId('desc', { time: f.createdAt, id: f.id }, { at, id }));
    }
    const rows = await this.db
      .select()
      .from(f)
      .where(and(...conditions))
      .orderBy(desc(f.createdAt), desc(f.id))
      .limit(filters.limit + 1);
    return toPage(rows, filters.limit, toFileJson, (row) => [row.createdAt.toISOString(), row.id]);
  }

  /** The file's bytes (or a range of them); BlobRangeError for a range past the end. */
  async open(workspaceId: string, id: string, range?: BlobRange): Promise<OpenedFile> {
    const file = await this.get(workspaceId, id);
    const blob = await this.blobs.get(workspaceId, blobKey(id), range);
    if (!blob) throw notFound(`The bytes of file ${id} are missing from the blob store`);
    return { file, body: blob.body, range: blob.range };
  }

  async delete(workspaceId: string, actorId: string, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .delete(f)
        .where(and(eq(f.workspaceId, workspaceId), eq(f.id, id)))
        .returning();
      if (!row) throw notFound(`File ${id} not found in this workspace`);
      if (row.objectId) {
        await this.links.unlink(tx, {
          workspaceId,
          objectId: row.objectId,
          recordType: RECORD_TYPE,
          recordId: id,
          actorId,
        });
      }
      await this.events.record(tx, {
        workspaceId,
        actorId,
        type: 'file.deleted',
        entityType: 'file',
        entityId: id,
        data: { name: row.name, size: row.size, sha256: row.sha256, object_id: row.objectId },
      });
    });
    await this.blobs.delete(workspaceId, blobKey(id));
  }
}

function fileTooLarge(limit: number) {
  return new ApiError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The file exceeds this workspace's limit of ${limit} bytes (files setting max_file_bytes)`,
    undefined,
    { Connection: 'close' },
  );
}

function quotaExceeded(usage: FilesUsage) {
  return new ApiError(
    413,
    'FILES_QUOTA_EXCEEDED',
    `The upload would exceed this workspace's files quota: ${usage.used_bytes} of ${usage.quota_bytes} bytes are used (files setting quota_bytes; delete files or raise it)`,
    undefined,
    { Connection: 'close' },
  );
}
