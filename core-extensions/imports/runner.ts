/**
 * The import job: streams the file from the blob store, maps and validates every row
 * against the workspace's settings, and writes the good rows in batches through the
 * objects (and relationships) services.
 *
 * Exactly once, across crashes and instances. A batch is one transaction that:
 * locks the import row, checks it is still `running` and that `last_row` is still the
 * row the batch started after, writes the batch's objects, relationships and error
 * rows, moves `last_row` to the batch's last row, and records the events (objects',
 * relationships' and `import.progress`). So row n is written only by the transaction
 * that moves the checkpoint past n: a crash before commit leaves nothing of the batch
 * and the retried job skips exactly the committed rows; a second runner (a lease
 * that expired while the first still ran) finds the checkpoint moved and stops. The
 * pair (import id, row number) is the idempotency key, held by the checkpoint rather
 * than a row per imported row.
 *
 * Memory: one batch of mapped rows plus the parser's buffer; the file is pulled with
 * back-pressure, never loaded.
 */
import {
  ApiError,
  type Db,
  type ErrorDetail,
  type ExtensionEvents,
  type JobContext,
  orm,
} from '@maskin/contract';
import type { FilesService } from '../files/api.ts';
import type { CreateObjectInput, ObjectsService, ObjectsSettings } from '../objects/api.ts';
import { createObjectSchema } from '../objects/api.ts';
import type { RelationshipInput, RelationshipsService } from '../relationships/api.ts';
import { mapRow } from './mapping.ts';
import { type ImportRow, readRows } from './records.ts';
import { type ImportRow as ImportRecord, importsTable as i, importErrorsTable } from './table.ts';

const { and, eq, sql } = orm;

/** Error rows kept per import (later ones are counted, not stored). */
export const MAX_STORED_ERRORS = 10_000;

export type ImportEventType =
  | 'import.created'
  | 'import.mapping_updated'
  | 'import.confirmed'
  | 'import.progress'
  | 'import.completed'
  | 'import.failed'
  | 'import.cancelled';

/** Test seams: called inside each batch's transaction before it commits (throw to "crash"). */
export interface RunnerHooks {
  beforeBatchCommit?(context: { importId: string; batch: number; lastRow: number }): void | Promise<void>;
}

export interface RunnerDeps {
  db: Db;
  events: ExtensionEvents<ImportEventType>;
  files: FilesService;
  objects: ObjectsService;
  relationships: RelationshipsService;
  batchSize: (workspaceId: string) => Promise<number>;
  hooks: RunnerHooks;
}

export interface ImportPayload {
  importId: string;
}

/** The import stopped on purpose (cancelled, or another runner owns it): end the job quietly. */
class Stop extends Error {}

interface RowOutcome {
  row: ImportRow;
  objects?: { key: string; input: CreateObjectInput }[];
  problems?: ErrorDetail[];
}

export async function runImport(deps: RunnerDeps, job: JobContext<ImportPayload>): Promise<void> {
  const { importId } = job.payload;
  const workspaceId = job.workspaceId!;
  const record = await start(deps.db, workspaceId, importId);
  if (!record) return;
  try {
    const settings = await deps.objects.settings(workspaceId);
    const batchSize = await deps.batchSize(workspaceId);
    const { body } = await deps.files.open(workspaceId, record.fileId);
    let batch: RowOutcome[] = [];
    let lastRow = record.lastRow;
    let batchNumber = 0;
    try {
      for await (const row of readRows(body, record)) {
        if (row.row <= record.lastRow) continue; // committed by an earlier attempt
        batch.push(check(deps, record, settings, row));
        if (batch.length >= batchSize) {
          if (job.signal.aborted)
            throw new Error('The import job was aborted (timeout, lost lease, cancellation or shutdown)');
          lastRow = await commitBatch(deps, record, batch, lastRow, ++batchNumber);
          batch = [];
        }
      }
    } finally {
      body.destroy();
    }
    if (batch.length > 0) lastRow = await commitBatch(deps, record, batch, lastRow, ++batchNumber);
    await finish(deps, record, 'completed');
  } catch (error) {
    if (error instanceof Stop) return;
    // A file that cannot be read further (malformed CSV) will fail the same way again.
    const permanent = error instanceof ApiError || isParseError(error) || job.attempt >= job.maxAttempts;
    if (permanent) {
      await finish(deps, record, 'failed', error instanceof Error ? error.message : String(error));
      return;
    }
    throw error;
  }
}

const isParseError = (error: unknown) =>
  error instanceof Error &&
  ('code' in error ? String(error.code).startsWith('CSV_') : /JSON value/.test(error.message));

/** Marks a queued import running; undefined when there is nothing (more) to do. */
async function start(db: Db, workspaceId: string, importId: string): Promise<ImportRecord | undefined> {
  const [row] = await db
    .update(i)
    .set({ status: 'running', updatedAt: sql`date_trunc('milliseconds', now())` })
    .where(
      and(eq(i.workspaceId, workspaceId), eq(i.id, importId), orm.inArray(i.status, ['queued', 'running'])),
    )
    .returning();
  return row;
}

function check(
  deps: RunnerDeps,
  record: ImportRecord,
  settings: ObjectsSettings,
  row: ImportRow,
): RowOutcome {
  if (!row.values) return { row, problems: [{ path: '', message: row.problem ?? 'unreadable row' }] };
  const objects = mapRow(record.mapping, row.values, settings);
  const problems: ErrorDetail[] = [];
  for (const { key, input } of objects) {
    const shape = createObjectSchema.safeParse(input);
    if (!shape.success) {
      for (const issue of shape.error.issues)
        problems.push({ path: `${key}.${issue.path.join('.')}`, message: issue.message });
      continue;
    }
    for (const problem of deps.objects.problemsOf(settings, input))
      problems.push({ ...problem, path: `${key}.${problem.path}` });
  }
  return problems.length > 0 ? { row, problems } : { row, objects };
}

async function commitBatch(
  deps: RunnerDeps,
  record: ImportRecord,
  batch: RowOutcome[],
  expectedLastRow: number,
  batchNumber: number,
): Promise<number> {
  const scope = { workspaceId: record.workspaceId, actorId: record.createdBy! };
  const lastRow = batch.at(-1)!.row.row;
  await deps.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ status: i.status, lastRow: i.lastRow, failedRows: i.failedRows })
      .from(i)
      .where(eq(i.id, record.id))
      .for('update');
    if (current?.status !== 'running' || current.lastRow !== expectedLastRow) throw new Stop();

    const good = batch.filter((outcome) => outcome.objects);
    const inputs = good.flatMap((outcome) => outcome.objects!.map((object) => object.input));
    const created = await deps.objects.prepareCreate(tx, scope, inputs, (index) => `${index}`);
    const edges: RelationshipInput[] = [];
    let offset = 0;
    for (const outcome of good) {
      const ids = new Map(
        outcome.objects!.map((object, index) => [object.key, created.value[offset + index]!.id]),
      );
      offset += outcome.objects!.length;
      for (const edge of record.mapping.relationships) {
        const source = ids.get(edge.source);
        const target = ids.get(edge.target);
        if (source && target) edges.push({ type: edge.type, source_id: source, target_id: target });
      }
    }
    const linked = await deps.relationships.prepareCreate(
      tx,
      scope,
      edges,
      (index) => `relationships.${index}`,
    );

    const bad = batch.filter((outcome) => outcome.problems);
    const room = Math.max(0, MAX_STORED_ERRORS - current.failedRows);
    if (bad.length > 0 && room > 0) {
      await tx
        .insert(importErrorsTable)
        .values(
          bad.slice(0, room).map((outcome) => ({
            importId: record.id,
            rowNumber: outcome.row.row,
            line: outcome.row.line,
            message: `Line ${outcome.row.line}: ${outcome.problems!.map((p) => (p.path ? `${p.path} ${p.message}` : p.message)).join('; ')}`,
            details: outcome.problems!,
          })),
        )
        .onConflictDoNothing();
    }
    const [progress] = await tx
      .update(i)
      .set({
        lastRow,
        importedRows: sql`${i.importedRows} + ${good.length}`,
        failedRows: sql`${i.failedRows} + ${bad.length}`,
        createdObjects: sql`${i.createdObjects} + ${inputs.length}`,
        createdRelationships: sql`${i.createdRelationships} + ${edges.length}`,
        updatedAt: sql`date_trunc('milliseconds', now())`,
      })
      .where(eq(i.id, record.id))
      .returning();
    await deps.hooks.beforeBatchCommit?.({ importId: record.id, batch: batchNumber, lastRow });
    await created.recordEvents();
    await linked.recordEvents();
    await deps.events.record(tx, {
      workspaceId: record.workspaceId,
      actorId: scope.actorId,
      type: 'import.progress',
      entityType: 'import',
      entityId: record.id,
      data: {
        rows_done: progress!.lastRow,
        row_count: record.rowCount,
        imported_rows: progress!.importedRows,
        failed_rows: progress!.failedRows,
      },
    });
  });
  return lastRow;
}

async function finish(
  deps: RunnerDeps,
  record: ImportRecord,
  status: 'completed' | 'failed',
  failure?: string,
) {
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(i)
      .set({
        status,
        failure: failure?.slice(0, 2000) ?? null,
        finishedAt: sql`date_trunc('milliseconds', now())`,
        updatedAt: sql`date_trunc('milliseconds', now())`,
      })
      .where(and(eq(i.id, record.id), eq(i.status, 'running')))
      .returning();
    if (!row) return; // cancelled meanwhile
    await deps.events.record(tx, {
      workspaceId: record.workspaceId,
      actorId: record.createdBy,
      type: status === 'completed' ? 'import.completed' : 'import.failed',
      entityType: 'import',
      entityId: record.id,
      data: {
        row_count: row.rowCount,
        imported_rows: row.importedRows,
        failed_rows: row.failedRows,
        created_objects: row.createdObjects,
        created_relationships: row.createdRelationships,
        ...(failure ? { failure: row.failure } : {}),
      },
    });
  });
}
