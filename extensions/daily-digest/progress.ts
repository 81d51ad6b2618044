/**
 * Compile progress as a stream of lines per workspace (scope = workspace id), served
 * by GET /progress/stream. Each line is written in its own short transaction whose
 * last statement takes the line's id from the stream's counter (`nextId`), so ids
 * are commit-ordered and a client resuming with Last-Event-ID misses nothing.
 */
import type { Db, ExtensionStream, ExtensionStreams } from '@maskin/contract';
import { orm } from '@maskin/contract';
import { type ProgressLine, progressLines } from './tables.ts';

export interface Progress {
  stream: ExtensionStream;
  write(workspaceId: string, jobId: string, text: string): Promise<void>;
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
  return {
    stream,
    write: (workspaceId, jobId, text) =>
      db.transaction(async (tx) => {
        const id = await stream.nextId(tx, workspaceId);
        await tx.insert(progressLines).values({ scope: workspaceId, id, workspaceId, jobId, text });
      }),
  };
}
