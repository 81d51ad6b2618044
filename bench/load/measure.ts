/**
 * How the load module measures: autocannon over real sockets for HTTP routes, and a
 * time box of concurrent callers for anything else (driver statements, MCP calls),
 * both for BENCH_DURATION_S after a warm-up that is not counted (BENCH_WARMUP_S, default
 * 3 s: a server that answers all day runs optimised code, and V8 needs a few seconds of
 * load to optimise a route's whole path; after 1 s a GET still cost 1.5x its steady CPU,
 * so a 1 s warm-up measured the JIT, more for long paths than for the bare baselines).
 * Latencies are kept per response in milliseconds (autocannon's own histogram rounds to
 * whole ms, too coarse for a bare route), and only successful answers count towards req/s.
 *
 * A measured autocannon run sends a fixed number of requests and ends when the last
 * is answered: the warm-up's rate x BENCH_DURATION_S, at least three per connection.
 * A duration would be wrong for a slow server: requests on one database connection
 * share it, so 50 of them can all finish after the window and the run counts none.
 * A time box likewise waits for the calls in flight at its end and counts their time.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { summarize } from '../lib.ts';

export const CONNECTIONS = 50;
export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? Math.min(3, DURATION_S));

export interface Measured {
  /** Successful operations per second. */
  rps: number;
  p50: number;
  p99: number;
  n: number;
  /** Answers that were not 2xx, connection errors and timeouts. */
  failed: number;
}

function run(options: autocannon.Options): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) =>
      error ? reject(error) : resolve({ result, latencies }),
    );
    instance.on('response', (_client, status, _bytes, time) => {
      if (status >= 200 && status < 300) latencies.push(time);
    });
  });
}

/**
 * autocannon stops with up to one request per connection in flight, and the server
 * still finishes them (and whatever they queued behind). One more request of the same
 * kind, answered, means that backlog has gone (the server's pool hands out connections
 * in order), so the next run does not share the server with the last one's leftovers.
 */
async function drain(options: autocannon.Options) {
  const first = options.requests?.[0]?.setupRequest;
  const path = typeof first === 'function' ? (first({}, {}).path ?? '') : '';
  const response = await fetch(`${options.url}${path}`, {
    method: options.method ?? 'GET',
    headers: options.headers as Record<string, string> | undefined,
    body: typeof options.body === 'string' ? options.body : undefined,
  });
  await response.arrayBuffer();
}

/** `options.url` under CONNECTIONS keep-alive connections (unless overridden). */
export async function cannon(options: autocannon.Options): Promise<Measured> {
  const base = { connections: CONNECTIONS, timeout: 60, ...options };
  const warmup = await run({ ...base, duration: WARMUP_S });
  await drain(base);
  const amount = Math.max(
    3 * (base.connections ?? CONNECTIONS),
    Math.ceil((warmup.latencies.length / warmup.result.duration) * DURATION_S),
  );
  const { result, latencies } = await run({ ...base, amount });
  await drain(base);
  const summary = summarize(latencies);
  return {
    rps: latencies.length / result.duration,
    p50: summary.p50,
    p99: summary.p99,
    n: latencies.length,
    failed: result.non2xx + result.errors,
  };
}

/** `call` from `concurrency` callers in a loop for `seconds`; a thrown call counts as failed. */
export async function timeBox(
  concurrency: number,
  call: (i: number) => Promise<unknown>,
  seconds = DURATION_S,
): Promise<Measured> {
  const box = async (length: number, record: boolean) => {
    const latencies: number[] = [];
    let failed = 0;
    let next = 0;
    const deadline = performance.now() + length * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await call(next++);
            if (record) latencies.push(performance.now() - t0);
          } catch (error) {
            failed++;
            if (failed === 1 && record) process.stderr.write(`load bench: a call failed: ${error}\n`);
          }
        }
      }),
    );
    return { latencies, failed, elapsed: (performance.now() - started) / 1000 };
  };
  await box(WARMUP_S, false);
  const { latencies, failed, elapsed } = await box(seconds, true);
  const summary = summarize(latencies);
  return { rps: latencies.length / elapsed, p50: summary.p50, p99: summary.p99, n: latencies.length, failed };
}

/** User + system CPU time of `pid` in microseconds, or NaN without /proc. */
export function processCpuUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits until the server process is quiet: under 5% of a core over 250 ms, for at most
 * 60 s. A write case leaves work behind it (the durable consumers deliver its events
 * after it ends, in the same process); the next case must not pay for it. No /proc:
 * returns at once.
 */
export async function untilQuiet(pid: number): Promise<void> {
  const windowMs = 250;
  for (let waited = 0; waited < 60_000; waited += windowMs) {
    const before = processCpuUs(pid);
    if (Number.isNaN(before)) return;
    await sleep(windowMs);
    if (processCpuUs(pid) - before < windowMs * 1000 * 0.05) return;
  }
}
