/**
 * The cap on open streams per actor, counted in this process. Streams are long-lived
 * connections pinned to one process, so a per-process count is what protects that
 * process's sockets and memory; with several processes an actor may hold the cap on
 * each. Shared by every stream kind: the event stream and extension streams.
 */
import { ApiError } from '../contract/errors.ts';

export class StreamQuota {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerActor: number) {}

  /** Takes a slot or throws 429 RATE_LIMITED; the returned release is idempotent. */
  acquire(actorId: string): () => void {
    const count = this.open.get(actorId) ?? 0;
    if (count >= this.maxPerActor) {
      throw new ApiError(
        429,
        'RATE_LIMITED',
        `You already have ${count} open streams, the most one actor may hold; close one before opening another`,
        undefined,
        { 'Retry-After': '5' },
      );
    }
    this.open.set(actorId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(actorId) ?? 1) - 1;
      if (left > 0) this.open.set(actorId, left);
      else this.open.delete(actorId);
    };
  }

  openStreams(actorId: string): number {
    return this.open.get(actorId) ?? 0;
  }
}
