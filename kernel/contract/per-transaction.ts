/**
 * A value read once per transaction handle and workspace, then reused: for a durable
 * subscription's handler, whose events of one batch share the same `tx` (event-log.ts),
 * to read its per-workspace configuration once per batch instead of once per event.
 *
 *     const triggersOf = perTransaction((tx, workspaceId) =>
 *       tx.select().from(triggers).where(eq(triggers.workspaceId, workspaceId)).execute(),
 *     );
 *     const rows = await triggersOf(tx, workspaceId);
 *
 * `load` must return a real promise (`.execute()`), not a drizzle query: a query runs
 * again on every await, so keeping it would read once per event all the same. The
 * memo is dropped with the handle (a WeakMap), so it never outlives its transaction.
 */
import type { Db } from '../db/database.ts';

export function perTransaction<T>(
  load: (tx: Db, workspaceId: string) => Promise<T>,
): (tx: Db, workspaceId: string) => Promise<T> {
  const memo = new WeakMap<Db, Map<string, Promise<T>>>();
  return (tx, workspaceId) => {
    let byWorkspace = memo.get(tx);
    if (!byWorkspace) {
      byWorkspace = new Map();
      memo.set(tx, byWorkspace);
    }
    let value = byWorkspace.get(workspaceId);
    if (!value) {
      value = load(tx, workspaceId);
      byWorkspace.set(workspaceId, value);
    }
    return value;
  };
}
