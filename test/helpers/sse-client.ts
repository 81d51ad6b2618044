/**
 * A minimal Server-Sent Events client for tests over real HTTP (fetch), and a helper
 * that serves a kernel on a loopback port. It yields every message the server sends,
 * comments and `retry:` hints included, so tests can see heartbeats and closures.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Kernel } from '../../kernel/kernel.ts';

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  /** The JSON body for non-200 answers. */
  errorBody?: any;
  messages: AsyncGenerator<SseMessage>;
  close(): void;
}

export async function connectSse(
  url: string,
  options: {
    /** Omitted: no Authorization header (a stream ticket in the URL instead). */
    key?: string;
    workspace?: string;
    lastEventId?: number | string;
    headers?: Record<string, string>;
  },
): Promise<SseConnection> {
  const controller = new AbortController();
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.workspace) headers['x-workspace-id'] = options.workspace;
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(url, { headers, signal: controller.signal });
  const close = () => controller.abort();
  if (response.status !== 200) {
    const errorBody = await response.json().catch(() => undefined);
    return { status: response.status, headers: response.headers, errorBody, messages: empty(), close };
  }
  return { status: 200, headers: response.headers, messages: parse(response.body!), close };
}

async function* empty(): AsyncGenerator<SseMessage> {}

async function* parse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: SseMessage = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1).trim();
          const colon = line.indexOf(':');
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') message.id = value;
          else if (field === 'event') message.event = value;
          else if (field === 'data')
            message.data = message.data === undefined ? value : `${message.data}\n${value}`;
          else if (field === 'retry') message.retry = Number(value);
        }
        yield message;
      }
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
}

/**
 * Reads messages until `until` returns true; fails if the stream ends first or after
 * `timeoutMs` (then the connection is closed). The connection stays usable afterwards.
 */
export async function collectUntil(
  connection: SseConnection,
  until: (messages: SseMessage[]) => boolean,
  timeoutMs = 10_000,
): Promise<SseMessage[]> {
  const seen: SseMessage[] = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.close();
  }, timeoutMs);
  try {
    for (;;) {
      const next = await connection.messages.next();
      if (next.done) break;
      seen.push(next.value);
      if (until(seen)) return seen;
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`stream ${timedOut ? 'timed out' : 'ended'} after ${seen.length} messages`);
}

/** Reads until the server ends the stream; fails after `timeoutMs`. */
export async function collectToEnd(connection: SseConnection, timeoutMs = 10_000): Promise<SseMessage[]> {
  const seen: SseMessage[] = [];
  const timer = setTimeout(() => connection.close(), timeoutMs);
  try {
    for (;;) {
      const next = await connection.messages.next();
      if (next.done) return seen;
      seen.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
}

export interface ServedKernel {
  url: string;
  close(): Promise<void>;
}

/** Serves the kernel's app over HTTP on a random loopback port. */
export async function serveKernel(kernel: Kernel): Promise<ServedKernel> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: kernel.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeAllConnections' in server) server.closeAllConnections();
      await closed;
    },
  };
}

/** Polls `check` until it holds; for state that changes asynchronously on the server. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
