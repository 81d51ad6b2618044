/**
 * The caller's role in a workspace, cached per process because every workspace-scoped
 * request needs it (without the cache an authorised read costs two statements).
 *
 * Only memberships are cached, never their absence: someone just added must not meet
 * a cached 404, and non-members are rare enough to pay a query. A cached role must not
 * outlive its change by more than a moment:
 *
 * - Every change that can lower or remove a role (role change, removal, workspace
 *   deletion) sends NOTIFY `maskin_stream_access` with the workspace id in its
 *   transaction (the stream guard listens on the same channel); each process's
 *   listener drops that workspace's entries on commit. The reconnect hook clears the
 *   whole cache, in case a notification was missed while the connection was down.
 * - In the process that made the change, the route also evicts right after commit,
 *   so the next request of the same client sees the change without waiting for the
 *   notification to travel.
 * - Entries expire after CACHE_TTL_MS as a backstop.
 *
 * A load that was already reading when an eviction happened does not store its row
 * (the generation counter): it may have read the row from before the change.
 */
import type { Logger } from 'pino';
import type { Role } from '../contract/context.ts';
import type { Database } from '../db/database.ts';
import { STREAM_ACCESS_CHANNEL } from '../events/stream-guard.ts';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 50_000;

interface CachedRole {
  role: Role;
  cachedAt: number;
}

export class MembershipCache {
  /** workspaceId -> actorId -> role */
  private readonly byWorkspace = new Map<string, Map<string, CachedRole>>();
  private size = 0;
  private generation = 0;
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.database.listen(
      STREAM_ACCESS_CHANNEL,
      (workspaceId) => this.evictWorkspace(workspaceId),
      () => this.clear(),
    );
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
  }

  /** The role of `actorId` in `workspaceId`, or undefined when not a member. */
  roleOf(workspaceId: string, actorId: string): Role | undefined | Promise<Role | undefined> {
    const cached = this.byWorkspace.get(workspaceId)?.get(actorId);
    // A cached role is answered at once, not as a promise: every request after the first.
    if (cached && Date.now() - cached.cachedAt < CACHE_TTL_MS) return cached.role;
    return this.load(workspaceId, actorId);
  }

  private async load(workspaceId: string, actorId: string): Promise<Role | undefined> {
    const generation = this.generation;
    const [row] = await this.database.query<{ role: Role }>(
      'select role from workspace_members where workspace_id = $1 and actor_id = $2',
      [workspaceId, actorId],
    );
    if (row && generation === this.generation) this.store(workspaceId, actorId, row.role);
    return row?.role;
  }

  evictWorkspace(workspaceId: string): void {
    this.generation++;
    const entries = this.byWorkspace.get(workspaceId.toLowerCase());
    if (!entries) return;
    this.size -= entries.size;
    this.byWorkspace.delete(workspaceId.toLowerCase());
  }

  private clear(): void {
    this.generation++;
    this.byWorkspace.clear();
    this.size = 0;
  }

  private store(workspaceId: string, actorId: string, role: Role): void {
    if (this.size >= CACHE_MAX_ENTRIES) {
      this.logger.debug('membership cache full; starting over');
      this.clear();
    }
    let entries = this.byWorkspace.get(workspaceId);
    if (!entries) {
      entries = new Map();
      this.byWorkspace.set(workspaceId, entries);
    }
    if (!entries.has(actorId)) this.size++;
    entries.set(actorId, { role, cachedAt: Date.now() });
  }
}
