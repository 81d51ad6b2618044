/**
 * Caps on open streams, counted in this process. Streams are long-lived connections
 * pinned to one process, so a per-process count is what protects that process's
 * sockets and memory; with several processes the caps hold on each. Shared by every
 * stream kind: the event stream and extension streams.
 *
 * Three caps (issue 10, finding 10): per actor; per workspace (however many actors it
 * has); and per person, where an agent's streams count toward the human who minted its
 * key (or created it), so making agents does not multiply what one person may hold.
 */
import { ApiError } from '../contract/errors.ts';

export interface StreamQuotaLimits {
  perWorkspace?: number;
  perPerson?: number;
}

export interface StreamHolder {
  actorId: string;
  workspaceId?: string;
  /** The person the stream counts toward (see AuthContext.personId). */
  personId?: string | null;
}

class Counter {
  private readonly open = new Map<string, number>();
  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
  add(key: string, delta: number): void {
    const next = this.count(key) + delta;
    if (next > 0) this.open.set(key, next);
    else this.open.delete(key);
  }
}

const refused = (message: string) =>
  new ApiError(429, 'RATE_LIMITED', message, undefined, { 'Retry-After': '5' });

export class StreamQuota {
  private readonly actors = new Counter();
  private readonly workspaces = new Counter();
  private readonly persons = new Counter();

  constructor(
    readonly maxPerActor: number,
    readonly limits: StreamQuotaLimits = {},
  ) {}

  /** Takes a slot or throws 429 RATE_LIMITED; the returned release is idempotent. */
  acquire(holder: string | StreamHolder): () => void {
    const { actorId, workspaceId, personId } = typeof holder === 'string' ? { actorId: holder } : holder;
    const count = this.actors.count(actorId);
    if (count >= this.maxPerActor) {
      throw refused(
        `You already have ${count} open streams, the most one actor may hold; close one before opening another`,
      );
    }
    const { perWorkspace, perPerson } = this.limits;
    if (workspaceId && perWorkspace !== undefined && this.workspaces.count(workspaceId) >= perWorkspace) {
      throw refused(
        `This workspace already has ${perWorkspace} open streams, the most one workspace may hold; close one first`,
      );
    }
    if (personId && perPerson !== undefined && this.persons.count(personId) >= perPerson) {
      throw refused(
        `The person this caller counts toward already holds ${perPerson} open streams (their own and their agents'); close one first`,
      );
    }
    this.actors.add(actorId, 1);
    if (workspaceId) this.workspaces.add(workspaceId, 1);
    if (personId) this.persons.add(personId, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.actors.add(actorId, -1);
      if (workspaceId) this.workspaces.add(workspaceId, -1);
      if (personId) this.persons.add(personId, -1);
    };
  }

  openStreams(actorId: string): number {
    return this.actors.count(actorId);
  }
}
