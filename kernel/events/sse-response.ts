/**
 * Turns a request into a Server-Sent Events response fed by a StreamHub. Shared by
 * every stream route (the event stream and extension streams), so limits, headers and resume
 * parsing are the same everywhere.
 *
 * Under @hono/node-server the handler writes the status and headers to the Node
 * ServerResponse itself and returns RESPONSE_ALREADY_SENT: the hub then writes shared
 * Buffers straight to the socket. Without a Node response (`app.request()`, other
 * runtimes) the same hub feeds a web ReadableStream instead, slower per client but
 * with the same bytes and the same limits.
 */
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { KernelContext } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import type { StreamHub, StreamOwner } from './stream-hub.ts';
import type { StreamQuota } from './stream-quota.ts';
import { NodeSink, type StreamSink, WebStreamSink } from './stream-sink.ts';

export interface SseStreamOptions<Row, Filter> {
  hub: StreamHub<Row, Filter>;
  quota: StreamQuota;
  /** Re-checked while the stream is open (stream-guard.ts): revoked or removed, it ends. */
  owner: StreamOwner;
  scope: string;
  afterId: number | undefined;
  filter: Filter | undefined;
  /** Queue bound of the web-stream fallback. */
  maxBufferedBytes: number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Tells nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** `Last-Event-ID` wins over `?last_event_id=`: a browser's EventSource resends the header with the newer id. */
export function resumeId(header: string | undefined, query: number | undefined): number | undefined {
  if (header !== undefined && header !== '') return Number(header);
  return query;
}

export function openSseStream<Row, Filter>(
  c: KernelContext,
  options: SseStreamOptions<Row, Filter>,
): Response {
  const { hub } = options;
  if (!hub.accepting) {
    throw new ApiError(503, 'UNAVAILABLE', 'The server is shutting down; reconnect in a moment', undefined, {
      'Retry-After': '1',
    });
  }
  const release = options.quota.acquire(options.owner);
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  let sink: StreamSink;
  let response: Response;
  try {
    if (outgoing) {
      const headers: Record<string, string> = {};
      c.res.headers.forEach((value, name) => {
        headers[name] = value;
      });
      outgoing.writeHead(200, { ...headers, ...SSE_HEADERS, 'x-request-id': c.get('requestId') });
      outgoing.flushHeaders();
      outgoing.socket?.setNoDelay(true);
      sink = new NodeSink(outgoing);
      response = RESPONSE_ALREADY_SENT;
    } else {
      const webSink = new WebStreamSink(options.maxBufferedBytes);
      sink = webSink;
      response = c.body(webSink.stream, 200, SSE_HEADERS);
    }
  } catch (error) {
    release();
    throw error;
  }
  sink.onClose(release);
  const logger = c.get('logger');
  hub
    .subscribe({
      scope: options.scope,
      owner: options.owner,
      afterId: options.afterId,
      filter: options.filter,
      sink,
    })
    .catch((error) => logger.error({ err: error }, 'stream replay failed; the client was told to retry'));
  return response;
}
