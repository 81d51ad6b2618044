/**
 * Session logs: one row per line in sessions_log_lines, served as pages (GET /{id}/logs)
 * and as a resumable SSE stream (GET /{id}/logs/stream) on the contract's streams.
 *
 * Ids come from the stream's counter (`nextId`), taken at the end of each writing
 * transaction, so they become visible in commit order per session and a client that
 * resumes with Last-Event-ID misses nothing (the argument is in kernel/contract/streams.ts).
 * A running process's output is buffered and written in batches (one transaction per
 * batch, every `flushMs` or `maxBatch` lines), because a transaction per line would
 * cap a chatty agent at the database's commit rate.
 *
 * The last line of every session is a `done` row in the system stream, written in the
 * transaction that makes the session terminal; the SSE stream sends it as `event: done`
 * with the final status, so a follower knows when to stop.
 */
import type { Db, ExtensionStream, ExtensionStreams } from '@maskin/contract';
import { orm } from '@maskin/contract';
import { type LogLineRow, type LogStream, logLines } from './tables.ts';

export const scopeOf = (workspaceId: string, sessionId: string) => `${workspaceId}/${sessionId}`;

export interface LogFilter {
  stream: LogStream;
}

export const logLineJson = (line: LogLineRow) => ({
  id: line.id,
  stream: line.stream,
  kind: line.kind,
  text: line.text,
  at: line.createdAt.toISOString(),
});

export interface SessionLogs {
  stream: ExtensionStream<LogFilter>;
  /** Writes lines in the caller's transaction; call it last (it takes the stream ids). */
  writeIn(
    tx: Db,
    workspaceId: string,
    sessionId: string,
    lines: { stream: LogStream; text: string; kind?: 'line' | 'done' }[],
  ): Promise<void>;
  /** A batching writer for one running session's output. */
  writer(
    workspaceId: string,
    sessionId: string,
    options?: { flushMs?: number; maxBatch?: number },
  ): LogWriter;
}

export interface LogWriter {
  push(stream: LogStream, text: string): void;
  /** Writes what is buffered now; resolves when it is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Longest line stored; a longer one is cut (an agent that prints a megabyte of JSON on one line). */
const MAX_LINE = 64 * 1024;

export function createSessionLogs(db: Db, streams: ExtensionStreams): SessionLogs {
  const stream = streams.createStream<LogLineRow, LogFilter>({
    name: 'logs',
    counterTable: 'sessions_log_counters',
    readAfter: (scope, afterId, limit, filter) =>
      db
        .select()
        .from(logLines)
        .where(
          orm.and(
            orm.eq(logLines.scope, scope),
            orm.gt(logLines.id, afterId),
            // the done line always passes: it ends every follower's stream
            filter
              ? orm.or(orm.eq(logLines.stream, filter.stream), orm.eq(logLines.kind, 'done'))
              : undefined,
          ),
        )
        .orderBy(logLines.id)
        .limit(limit),
    idOf: (line) => line.id,
    eventOf: (line) => (line.kind === 'done' ? 'done' : 'log'),
    dataOf: (line) =>
      line.kind === 'done' ? { ...logLineJson(line), ...safeJson(line.text) } : logLineJson(line),
    matches: (line, filter) => line.kind === 'done' || line.stream === filter.stream,
  });

  const writeIn: SessionLogs['writeIn'] = async (tx, workspaceId, sessionId, lines) => {
    const scope = scopeOf(workspaceId, sessionId);
    for (const line of lines) {
      const id = await stream.nextId(tx, scope);
      await tx.insert(logLines).values({
        scope,
        id,
        workspaceId,
        sessionId,
        stream: line.stream,
        kind: line.kind ?? 'line',
        text: line.text.length > MAX_LINE ? `${line.text.slice(0, MAX_LINE)}…` : line.text,
      });
    }
  };

  const writer = (
    workspaceId: string,
    sessionId: string,
    options: { flushMs?: number; maxBatch?: number } = {},
  ): LogWriter => {
    const flushMs = options.flushMs ?? 100;
    const maxBatch = options.maxBatch ?? 200;
    let buffer: { stream: LogStream; text: string }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let chain: Promise<void> = Promise.resolve();
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = buffer;
      buffer = [];
      // Batches are written one after another, so ids follow the order of output.
      chain = chain.then(async () => {
        if (batch.length === 0) return;
        await db.transaction((tx) => writeIn(tx, workspaceId, sessionId, batch));
      });
      return chain.catch(() => {});
    };
    return {
      push(streamName, text) {
        buffer.push({ stream: streamName, text });
        if (buffer.length >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), flushMs);
      },
      flush,
      close: flush,
    };
  };

  return { stream, writeIn, writer };
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}
