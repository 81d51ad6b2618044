/**
 * Imports, the domain logic: create (store the file through files, preview it,
 * propose a mapping), edit the mapping, confirm (enqueue the job in the same
 * transaction; the import's id is the job's singleton key, and only a `previewed`
 * import is enqueued, so confirming twice imports once), cancel, and read.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  afterTimeId,
  conflict,
  type Db,
  decodeCursor,
  decodeTimeIdCursor,
  type ExtensionEvents,
  type ExtensionJobs,
  notFound,
  orm,
  toPage,
  validationError,
} from '@maskin/contract';
import type { FilesService } from '../files/api.ts';
import type { ObjectsService, WriteScope } from '../objects/api.ts';
import { autoMapping, checkMapping, type Mapping } from './mapping.ts';
import { previewFile } from './preview.ts';
import type { ImportEventType, ImportPayload } from './runner.ts';
import { importErrorsTable as e, type ImportRow, importsTable as i, toImportJson } from './table.ts';

const { and, asc, desc, eq, gt, sql } = orm;

export const RUN_QUEUE = 'run';

export class ImportsService {
  constructor(
    private readonly db: Db,
    private readonly events: ExtensionEvents<ImportEventType>,
    private readonly jobs: ExtensionJobs,
    private readonly files: FilesService,
    private readonly objects: ObjectsService,
  ) {}

  async createFromUpload(
    scope: WriteScope,
    upload: { stream: Readable; filename: string; declaredType?: string },
  ) {
    const file = await this.files.upload({ ...scope, ...upload });
    return this.createFromFile(scope, file.id);
  }

  async createFromFile(scope: WriteScope, fileId: string) {
    const file = await this.files.get(scope.workspaceId, fileId);
    const preview = await previewFile(this.files, scope.workspaceId, file);
    const settings = await this.objects.settings(scope.workspaceId);
    const mapping = autoMapping(preview.columns, settings, preview.sampleRows);
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(i)
        .values({
          id,
          workspaceId: scope.workspaceId,
          fileId: file.id,
          fileName: file.name,
          status: 'previewed',
          format: preview.format,
          encoding: preview.encoding,
          delimiter: preview.delimiter,
          columns: preview.columns,
          sampleRows: preview.sampleRows,
          rowCount: preview.rowCount,
          mapping,
          lastRow: 0,
          importedRows: 0,
          failedRows: 0,
          createdObjects: 0,
          createdRelationships: 0,
          createdBy: scope.actorId,
          createdAt: sql`date_trunc('milliseconds', now())`,
          updatedAt: sql`date_trunc('milliseconds', now())`,
        })
        .returning();
      await this.record(tx, scope, 'import.created', id, {
        file_id: file.id,
        format: preview.format,
        row_count: preview.rowCount,
      });
      return toImportJson(row!);
    });
  }

  async get(workspaceId: string, id: string) {
    return toImportJson(await this.find(this.db, workspaceId, id));
  }

  async list(workspaceId: string, page: { limit: number; cursor?: string }) {
    const conditions = [eq(i.workspaceId, workspaceId)];
    if (page.cursor) {
      const { at, id } = decodeTimeIdCursor(page.cursor);
      conditions.push(afterTimeId('desc', { time: i.createdAt, id: i.id }, { at, id }));
    }
    const rows = await this.db
      .select()
      .from(i)
      .where(and(...conditions))
      .orderBy(desc(i.createdAt), desc(i.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit, toImportJson, (row) => [row.createdAt.toISOString(), row.id]);
  }

  /** Error rows in row order, a keyset page. */
  async errors(workspaceId: string, id: string, page: { limit: number; cursor?: string }) {
    await this.find(this.db, workspaceId, id);
    const after = page.cursor ? Number(decodeCursor(page.cursor, 1)[0]) : 0;
    if (!Number.isInteger(after))
      throw validationError('Invalid cursor', [{ path: 'cursor', message: 'malformed' }]);
    const rows = await this.db
      .select()
      .from(e)
      .where(and(eq(e.importId, id), gt(e.rowNumber, after)))
      .orderBy(asc(e.rowNumber))
      .limit(page.limit + 1);
    return toPage(
      rows,
      page.limit,
      (row) => ({ row: row.rowNumber, line: row.line, message: row.message, details: row.details }),
      (row) => [row.rowNumber],
    );
  }

  async setMapping(scope: WriteScope, id: string, mapping: Mapping) {
    const settings = await this.objects.settings(scope.workspaceId);
    return this.db.transaction(async (tx) => {
      const current = await this.find(tx, scope.workspaceId, id, true);
      if (current.status !== 'previewed')
        throw conflict(
          `Import ${id} is ${current.status}; the mapping can only change before it is confirmed`,
        );
      refuseBadMapping(mapping, current.columns, settings);
      const [row] = await tx
        .update(i)
        .set({ mapping, updatedAt: sql`date_trunc('milliseconds', now())` })
        .where(eq(i.id, id))
        .returning();
      await this.record(tx, scope, 'import.mapping_updated', id, { objects: mapping.objects.length });
      return toImportJson(row!);
    });
  }

  /** Starts the import job; confirming an import that is already queued, running or done returns it unchanged. */
  async confirm(scope: WriteScope, id: string) {
    const settings = await this.objects.settings(scope.workspaceId);
    return this.db.transaction(async (tx) => {
      const current = await this.find(tx, scope.workspaceId, id, true);
      if (['queued', 'running', 'completed'].includes(current.status)) return toImportJson(current);
      if (current.status !== 'previewed')
        throw conflict(`Import ${id} is ${current.status}; it cannot be confirmed`);
      refuseBadMapping(current.mapping, current.columns, settings);
      const job = await this.jobs.enqueue<ImportPayload>(tx, {
        queue: RUN_QUEUE,
        workspaceId: scope.workspaceId,
        payload: { importId: id },
        singletonKey: id,
        maxAttempts: 5,
        timeoutMs: 6 * 60 * 60 * 1000,
        retryDelayMs: 500,
      });
      const [row] = await tx
        .update(i)
        .set({
          status: 'queued',
          jobId: job.id,
          createdBy: scope.actorId,
          updatedAt: sql`date_trunc('milliseconds', now())`,
        })
        .where(eq(i.id, id))
        .returning();
      await this.record(tx, scope, 'import.confirmed', id, { job_id: job.id, row_count: current.rowCount });
      return toImportJson(row!);
    });
  }

  async cancel(scope: WriteScope, id: string) {
    return this.db.transaction(async (tx) => {
      const current = await this.find(tx, scope.workspaceId, id, true);
      if (current.status === 'cancelled') return toImportJson(current);
      if (current.status === 'completed' || current.status === 'failed')
        throw conflict(`Import ${id} is already ${current.status}`);
      if (current.jobId) await this.jobs.cancel(tx, current.jobId);
      const [row] = await tx
        .update(i)
        .set({
          status: 'cancelled',
          finishedAt: sql`date_trunc('milliseconds', now())`,
          updatedAt: sql`date_trunc('milliseconds', now())`,
        })
        .where(eq(i.id, id))
        .returning();
      await this.record(tx, scope, 'import.cancelled', id, { rows_done: current.lastRow });
      return toImportJson(row!);
    });
  }

  private async find(db: Db, workspaceId: string, id: string, lock = false): Promise<ImportRow> {
    const query = db
      .select()
      .from(i)
      .where(and(eq(i.workspaceId, workspaceId), eq(i.id, id)));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound(`Import ${id} not found in this workspace`);
    return row;
  }

  private record(
    tx: Db,
    scope: WriteScope,
    type: ImportEventType,
    id: string,
    data: Record<string, unknown>,
  ) {
    return this.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type,
      entityType: 'import',
      entityId: id,
      data,
    });
  }
}

function refuseBadMapping(mapping: Mapping, columns: string[], settings: Parameters<typeof checkMapping>[2]) {
  const problems = checkMapping(mapping, columns, settings);
  if (problems.length > 0)
    throw validationError(
      `Invalid mapping: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    );
}
