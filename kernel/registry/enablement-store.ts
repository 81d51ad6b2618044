/**
 * Which extensions a workspace has enabled, with their settings.
 *
 * Read on every gated request, so it is cached per process: one query loads all of
 * a workspace's rows on first use. Every change sends NOTIFY `maskin_extensions`
 * with the workspace id in the changing transaction; each process's listener drops
 * that workspace from its cache on commit (so a second instance sees the change
 * within a moment), and a reconnect of the listener clears the whole cache, since
 * notifications may have been missed while it was down.
 */
import { sql } from 'drizzle-orm';
import type { Enablement } from '../contract/extension.ts';
import { type Database, type Db, resultRows } from '../db/database.ts';

export const EXTENSIONS_CHANNEL = 'maskin_extensions';
const MAX_CACHED_WORKSPACES = 10_000;

export interface StoredEnablement {
  enabled: boolean;
  settings: Record<string, unknown>;
}

export class EnablementStore {
  private readonly cache = new Map<string, Promise<Map<string, StoredEnablement>>>();
  /** The cached rows that have arrived: what a caller inside a transaction may use without waiting. */
  private readonly loaded = new Map<string, Map<string, StoredEnablement>>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly enablementOf: (extensionId: string) => Enablement | undefined,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.database.listen(
      EXTENSIONS_CHANNEL,
      (workspaceId) => this.forget(workspaceId),
      () => {
        this.cache.clear();
        this.loaded.clear();
      },
    );
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
  }

  /** The stored rows of a workspace (cached). */
  async rowsOf(workspaceId: string): Promise<Map<string, StoredEnablement>> {
    let rows = this.cache.get(workspaceId);
    if (!rows) {
      if (this.cache.size >= MAX_CACHED_WORKSPACES) {
        this.cache.clear();
        this.loaded.clear();
      }
      const loading = this.load(this.database.db, workspaceId);
      rows = loading;
      this.cache.set(workspaceId, loading);
      loading.then(
        (map) => {
          if (this.cache.get(workspaceId) === loading) this.loaded.set(workspaceId, map);
        },
        () => this.cache.delete(workspaceId),
      );
    }
    return rows;
  }

  private async load(db: Db, workspaceId: string) {
    const rows = resultRows<{ extension_id: string; enabled: boolean; settings: Record<string, unknown> }>(
      await db.execute(
        sql`select extension_id, enabled, settings from workspace_extensions where workspace_id = ${workspaceId}`,
      ),
    );
    return new Map(
      rows.map((row) => [row.extension_id, { enabled: row.enabled, settings: row.settings ?? {} }]),
    );
  }

  /** Whether an extension is enabled: its row, or its enablement default when it has none. */
  isEnabledIn(rows: Map<string, StoredEnablement>, extensionId: string): boolean {
    const enablement = this.enablementOf(extensionId);
    if (enablement === 'always') return true;
    const row = rows.get(extensionId);
    return row ? row.enabled : enablement === 'default-on';
  }

  async isEnabled(workspaceId: string, extensionId: string): Promise<boolean> {
    return this.isEnabledIn(await this.rowsOf(workspaceId), extensionId);
  }

  /** The cached rows, at once, or undefined while this process has not loaded the workspace. */
  rowsIfKnown(workspaceId: string): Map<string, StoredEnablement> | undefined {
    return this.loaded.get(workspaceId);
  }

  /**
   * The cached answer, at once, or undefined while this process has not loaded the
   * workspace (then ask isEnabled): the request gate's path, every request.
   */
  isEnabledIfKnown(workspaceId: string, extensionId: string): boolean | undefined {
    const rows = this.loaded.get(workspaceId);
    return rows ? this.isEnabledIn(rows, extensionId) : undefined;
  }

  /**
   * Uncached, in the caller's transaction: for work that must not act on a stale cache
   * (the cache learns of a change by NOTIFY, a moment after its commit).
   */
  async isEnabledInTransaction(tx: Db, workspaceId: string, extensionId: string): Promise<boolean> {
    const [row] = resultRows<{ enabled: boolean }>(
      await tx.execute(
        sql`select enabled from workspace_extensions where workspace_id = ${workspaceId} and extension_id = ${extensionId}`,
      ),
    );
    const enablement = this.enablementOf(extensionId);
    if (enablement === 'always') return true;
    return row ? row.enabled : enablement === 'default-on';
  }

  /**
   * For a hook inside another extension's write: the cached answer when this process
   * has it, else a read in that transaction. Never a pool query: on PGlite the pool is
   * the one connection the transaction holds, and the query would wait for it forever.
   */
  async isEnabledWithin(tx: Db, workspaceId: string, extensionId: string): Promise<boolean> {
    const rows = this.loaded.get(workspaceId);
    return rows
      ? this.isEnabledIn(rows, extensionId)
      : this.isEnabledInTransaction(tx, workspaceId, extensionId);
  }

  /** Uncached read inside a transaction (for the enablement API's checks). */
  async rowsInTransaction(tx: Db, workspaceId: string) {
    // Lock the workspace row: concurrent enablement changes of one workspace serialise,
    // so two requests cannot each pass the dependency check and leave it inconsistent.
    await tx.execute(sql`select 1 from workspaces where id = ${workspaceId} for update`);
    return this.load(tx, workspaceId);
  }

  async write(
    tx: Db,
    input: {
      workspaceId: string;
      extensionId: string;
      enabled: boolean;
      settings: Record<string, unknown>;
      actorId: string | null;
    },
  ): Promise<void> {
    await tx.execute(sql`
      insert into workspace_extensions (workspace_id, extension_id, enabled, settings, updated_by)
      values (${input.workspaceId}, ${input.extensionId}, ${input.enabled}, ${JSON.stringify(input.settings)}::jsonb, ${input.actorId})
      on conflict (workspace_id, extension_id) do update
        set enabled = excluded.enabled, settings = excluded.settings, updated_by = excluded.updated_by, updated_at = now()`);
    await tx.execute(sql`select pg_notify(${EXTENSIONS_CHANNEL}, ${input.workspaceId})`);
    this.forget(input.workspaceId);
  }

  /**
   * Drops a workspace from this process's cache. Call after the transaction that
   * changed it committed: a read between the write and the commit (another request,
   * a worker) may have cached the old rows again, and the NOTIFY that would clear them
   * arrives on another connection a moment later, after this process may already have
   * answered the next request with them.
   */
  forget(workspaceId: string): void {
    this.cache.delete(workspaceId);
    this.loaded.delete(workspaceId);
  }
}
