/**
 * Where a stream's bytes go. The stream hub writes the same Buffer to many sinks, so a
 * sink takes bytes, not messages, and reports how much it still holds in this process
 * (`bufferedBytes`): that number is what bounds a slow client's memory.
 *
 * NodeSink writes straight to the Node ServerResponse (the production path: one
 * `write` of a shared Buffer per client, about a microsecond). WebStreamSink backs a
 * web ReadableStream for runtimes without a Node response, such as `app.request()` in
 * tests and in-process callers; it is correct but costs a per-client stream write.
 */
import type { ServerResponse } from 'node:http';

export interface StreamSink {
  write(chunk: Buffer): void;
  /** Bytes accepted but not yet handed to the operating system or the reader. */
  readonly bufferedBytes: number;
  /** Resolves once the sink is below its high-water mark again (or closed). */
  drained(): Promise<void>;
  /** Writes `last` (if any) and ends the stream; a reader that never drains is cut off later. */
  end(last?: Buffer): void;
  readonly closed: boolean;
  /** Runs once when the stream is over, whoever ended it. */
  onClose(listener: () => void): void;
}

/** How long an ended stream may take to flush its last bytes before the socket is destroyed. */
const END_GRACE_MS = 5_000;

export class NodeSink implements StreamSink {
  constructor(private readonly res: ServerResponse) {}

  write(chunk: Buffer): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(chunk);
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  drained(): Promise<void> {
    if (!this.res.writableNeedDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(last?: Buffer): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.res.end(last);
    const timer = setTimeout(() => this.res.destroy(), END_GRACE_MS);
    timer.unref();
    this.res.once('close', () => clearTimeout(timer));
  }

  onClose(listener: () => void): void {
    if (this.res.destroyed || this.res.closed) queueMicrotask(listener);
    else this.res.once('close', listener);
  }
}

export class WebStreamSink implements StreamSink {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private isClosed = false;
  private readonly closeListeners: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly highWaterMark: number) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.wakeDrainWaiters(),
        cancel: () => this.markClosed(),
      },
      { highWaterMark, size: (chunk) => chunk.byteLength },
    );
  }

  write(chunk: Buffer): void {
    if (!this.isClosed) this.controller.enqueue(chunk);
  }

  get bufferedBytes(): number {
    return this.isClosed ? 0 : this.highWaterMark - (this.controller.desiredSize ?? 0);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  drained(): Promise<void> {
    if (this.isClosed || this.bufferedBytes <= 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  end(last?: Buffer): void {
    if (this.isClosed) return;
    if (last) this.controller.enqueue(last);
    this.controller.close();
    this.markClosed();
  }

  onClose(listener: () => void): void {
    if (this.isClosed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.wakeDrainWaiters();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
