/**
 * Health checks must not cost a database round trip each: a load balancer polling
 * every instance, or a benchmark, would otherwise turn /api/health into the busiest
 * query in the system. The probe runs `select 1` at most once per PROBE_TTL_MS;
 * concurrent callers share the one in flight, and a failure is reported to every
 * caller of that probe and retried on the next call after it.
 */
import type { Database } from '../db/database.ts';

const PROBE_TTL_MS = 1000;

export class DatabaseProbe {
  private lastSuccessAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly ttlMs = PROBE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when the database answered within the last `ttlMs`; rejects with its error otherwise. */
  check(): Promise<void> {
    if (this.now() - this.lastSuccessAt < this.ttlMs) return Promise.resolve();
    this.inFlight ??= this.database
      .query('select 1')
      .then(() => {
        this.lastSuccessAt = this.now();
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
