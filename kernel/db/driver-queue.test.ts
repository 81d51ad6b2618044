/**
 * postgres.js 3.4.9 keeps its pool's connections in small queues whose `shift` leaves a
 * hole per taken item and only drops the holes when the queue runs empty. On a busy
 * pool it never does: every query shifts a busy connection and puts it back, and
 * `move` first removes it with an indexOf over the whole array. The array grew by one
 * slot per query for the life of the process, and that scan became 11% of a GET's CPU
 * after a few minutes of load (docs/performance.md, "The request path").
 * patches/postgres+3.4.9.patch (applied by `patch-package` on install) fixes it; this
 * test fails on the unpatched file. It drives the queue exactly as the pool does and
 * counts how many slots each `remove` scans.
 */
import { afterEach, describe, expect, it } from 'vitest';

type Queue<T> = { length: number; push(x: T): T; shift(): T; remove(x: T): T | null };

async function load(path: string): Promise<(initial?: unknown[]) => Queue<object>> {
  const module = await import(new URL(`../../node_modules/postgres/${path}`, import.meta.url).href);
  return module.default;
}

const realIndexOf = Array.prototype.indexOf;
afterEach(() => {
  Array.prototype.indexOf = realIndexOf;
});

/** The largest array any indexOf scanned while `run` ran. */
function largestScan(run: () => void): number {
  let largest = 0;
  Array.prototype.indexOf = function (this: unknown[], ...args: [unknown, number?]) {
    largest = Math.max(largest, this.length - (args[1] ?? 0));
    return realIndexOf.apply(this, args);
  };
  try {
    run();
  } finally {
    Array.prototype.indexOf = realIndexOf;
  }
  return largest;
}

describe.each(['src/queue.js', 'cjs/src/queue.js'])('postgres.js pool queue (%s)', (path) => {
  it('scans only the connections it holds, however many queries a busy pool has run', async () => {
    const Queue = await load(path);
    const busy = Queue();
    const connections = Array.from({ length: 10 }, () => ({}));
    for (const connection of connections) busy.push(connection);
    const scanned = largestScan(() => {
      // What `go(busy.shift(), query)` then `move(c, busy)` do for each query.
      for (let query = 0; query < 20_000; query++) {
        const connection = busy.shift();
        busy.remove(connection);
        busy.push(connection);
      }
    });
    expect(scanned).toBeLessThanOrEqual(2 * 1024 + connections.length);
    expect(busy.length).toBe(connections.length);
  });

  it('still removes, shifts and counts like a queue', async () => {
    const Queue = await load(path);
    const [a, b, c, d] = [{}, {}, {}, {}];
    const queue = Queue([a, b]);
    queue.push(c);
    expect(queue.shift()).toBe(a);
    expect(queue.remove(a)).toBeNull();
    expect(queue.remove(c)).toBe(c);
    queue.push(d);
    expect(queue.length).toBe(2);
    expect(queue.shift()).toBe(b);
    expect(queue.shift()).toBe(d);
    expect(queue.length).toBe(0);
    for (let i = 0; i < 5_000; i++) {
      queue.push(i === 0 ? a : {});
      if (i % 2 === 1) queue.shift();
    }
    expect(queue.length).toBe(2_500);
  });
});
