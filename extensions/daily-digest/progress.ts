/**
 * Compile progress as a stream of lines per workspace (scope = workspace id), served
 * by GET /progress/stream. A line's id comes from the stream's counter (`nextId`) at
 * the end of its transaction, so ids are commit-ordered and a client resuming with
 * Last-Event-ID misses nothing. Lines that report a change (compiled, summarised,
 * delivered) are written in the transaction of that change, after its event, so a
 * reader who sees the line can rely on the state it reports.
 */
import type { Db, ExtensionStream, ExtensionStreams } from '@maskin/contract';
import { orm } from '@maskin/contract';
import { type ProgressLine, progressLines } from './tables.ts';

export interface Progress {
  stream: ExtensionStream;
  /** A line in its own transaction (an observation that changes no other state). */
  write(workspaceId: string, jobId: string, text: string): Promise<void>;
  /** A line in the caller's transaction, as its last statement: it commits with the change it reports. */
  writeIn(tx: Db, workspaceId: string, jobId: string, text: string): Promise<void>;
}

export function createProgress(db: Db, streams: ExtensionStreams): Progress {
  const stream = streams.createStream<ProgressLine>({
    name: 'progress',
    counterTable: 'daily_digest_progress_counters',
    readAfter: (scope, afterId, limit) =>
      db
        .select()
        .from(progressLines)
        .where(orm.and(orm.eq(progressLines.scope, scope), orm.gt(progressLines.id, afterId)))
        .orderBy(progressLines.id)
        .limit(limit),
    idOf: (line) => line.id,
    eventOf: () => 'daily_digest.progress',
    dataOf: (line) => ({
      id: line.id,
      job_id: line.jobId,
      text: line.text,
      at: line.createdAt.toISOString(),
    }),
  });
  const writeIn = async (tx: Db, workspaceId: string, jobId: string, text: string) => {
    const id = await stream.nextId(tx, workspaceId);
    await tx.insert(progressLines).values({ scope: workspaceId, id, workspaceId, jobId, text });
  };
  return {
    stream,
    writeIn,
    write: (workspaceId, jobId, text) => db.transaction((tx) => writeIn(tx, workspaceId, jobId, text)),
  };
}
