/**
 * SSE delivery under load: `clients` raw HTTP connections to /api/events/stream held in
 * this process, while objects are created over HTTP at a steady rate. Each frame's
 * latency is its arrival time here minus the event's `created_at` (the database clock
 * at the writing transaction's start, same machine, millisecond precision): an upper
 * bound of commit-to-client latency that also contains the transaction itself.
 *
 * The clients use node:http without an agent (one socket each) and parse only what
 * they need (the frame boundary and `created_at`), so the client side stays cheap
 * next to 1,000 sockets' worth of frames.
 */
import { type ClientRequest, get } from 'node:http';
import { sleep, summarize } from '../lib.ts';

export interface SseResult {
  writes: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
}

const now = () => performance.timeOrigin + performance.now();
const CREATED_AT = /"created_at":"([^"]+)"/;

function openClient(
  url: string,
  headers: Record<string, string>,
  onFrame: (block: string, at: number) => void,
) {
  return new Promise<ClientRequest>((resolve, reject) => {
    const request = get(url, { headers, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`stream answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      let carry = '';
      response.on('data', (chunk: string) => {
        const at = now();
        const blocks = (carry + chunk).split('\n\n');
        carry = blocks.pop()!;
        for (const block of blocks) {
          if (block === ': live') resolve(request);
          else onFrame(block, at);
        }
      });
    });
    request.on('error', reject);
  });
}

export async function sseDelivery(options: {
  url: string;
  headers: Record<string, string>;
  clients: number;
  writesPerSecond: number;
  seconds: number;
  write: (i: number) => Promise<void>;
}): Promise<SseResult> {
  const latencies: number[] = [];
  const requests: ClientRequest[] = [];
  const onFrame = (block: string, at: number) => {
    if (!block.startsWith('id: ')) return;
    const createdAt = CREATED_AT.exec(block)?.[1];
    if (createdAt) latencies.push(at - Date.parse(createdAt));
  };
  try {
    for (let i = 0; i < options.clients; i += 50) {
      const batch = Math.min(50, options.clients - i);
      const opened = Array.from({ length: batch }, () => openClient(options.url, options.headers, onFrame));
      requests.push(...(await Promise.all(opened)));
    }
    let writes = 0;
    const pending: Promise<void>[] = [];
    const interval = 1000 / options.writesPerSecond;
    const started = performance.now();
    while (performance.now() - started < options.seconds * 1000) {
      pending.push(options.write(writes++));
      const due = started + writes * interval;
      await sleep(Math.max(0, due - performance.now()));
    }
    await Promise.all(pending);
    const expected = writes * options.clients;
    for (let waited = 0; latencies.length < expected && waited < 10_000; waited += 50) await sleep(50);
    const summary = summarize(latencies);
    return { writes, delivered: latencies.length, expected, p50: summary.p50, p99: summary.p99 };
  } finally {
    for (const request of requests) request.destroy();
  }
}
