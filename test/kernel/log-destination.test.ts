/**
 * The log destination, pino's sonic-boom, as patched (patches/sonic-boom+4.2.1.patch):
 * its write() keeps the UTF-8 length of the pending chunk instead of measuring the
 * growing string again per line, which flattened (copied) every pending line for each
 * line logged while a write was in flight (docs/performance.md, MCP tool calls). Lines
 * with multi-byte characters in bursts, so chunks fill and writes are in flight: every
 * line arrives once, whole and in order, no chunk exceeds maxWrite, and the kept
 * length is the chunk's real length after every write.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'maskin-log-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface PendingChunks {
  _bufs: string[];
  _lastLen: number;
}

describe('the log destination under bursts', () => {
  it('writes every line once, in order, in chunks within maxWrite', async () => {
    const file = join(folder, 'bursts.log');
    const maxWrite = 1024;
    const stream = pino.destination({ dest: file, sync: false, maxWrite });
    await once(stream, 'ready');
    const pending = stream as unknown as PendingChunks;
    const lines: string[] = [];
    const wrongLengths: number[] = [];
    const oversized: number[] = [];
    let checked = 0;
    for (let burst = 0; burst < 120; burst++) {
      for (let i = 0; i < 25; i++) {
        const line = JSON.stringify({ n: lines.length, text: 'Grüße 🚀 '.repeat((burst * 7 + i) % 40) });
        lines.push(line);
        stream.write(`${line}\n`);
        const last = pending._bufs.at(-1);
        if (last !== undefined) {
          if (pending._lastLen !== Buffer.byteLength(last)) wrongLengths.push(lines.length);
          checked++;
        }
        // A line longer than maxWrite would be a chunk of its own; none is here.
        if (pending._bufs.some((chunk) => Buffer.byteLength(chunk) > maxWrite)) oversized.push(lines.length);
      }
      // Let the write in flight finish now and then, so chunks are taken and refilled.
      if (burst % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Lines were pending while writes ran, so the kept length was exercised.
    expect(checked).toBeGreaterThan(1_000);
    expect(wrongLengths).toEqual([]);
    expect(oversized).toEqual([]);
    stream.end();
    await once(stream, 'close');
    expect(readFileSync(file, 'utf8')).toBe(lines.map((line) => `${line}\n`).join(''));
  });
});
