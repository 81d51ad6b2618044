/**
 * Turns a bearer token into an authenticated actor.
 *
 * Verified keys are cached in process memory (hash -> actor) because every request
 * pays for this. The cache must never outlive a revocation by more than a moment, so
 * revoking a key sends NOTIFY `maskin_api_keys` with the key id in the same
 * transaction, and every process's listener evicts it on commit. Entries also expire
 * after CACHE_TTL_MS as a backstop should a notification be missed while the
 * listening connection was reconnecting (the reconnect hook clears the whole cache).
 *
 * `last_used_at` is written at most once a minute per key, off the request path.
 */
import type { Logger } from 'pino';
import type { AuthContext } from '../contract/context.ts';
import { unauthorized } from '../contract/errors.ts';
import type { Database } from '../db/database.ts';
import { hashApiKey, isWellFormedApiKey } from './api-key-format.ts';

export const API_KEY_CHANNEL = 'maskin_api_keys';
const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;
const LAST_USED_INTERVAL_MS = 60_000;
/** How long a key revoked in an open transaction stays uncacheable (commit + NOTIFY). */
const REVOKING_WINDOW_MS = 10_000;

interface CachedKey {
  auth: AuthContext;
  expiresAt: number | null;
  cachedAt: number;
}

export class ApiKeyVerifier {
  private readonly cache = new Map<string, CachedKey>();
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly revocationListeners: ((keyId: string) => void)[] = [];
  private stopListening: (() => Promise<void>) | undefined;
  /**
   * Bumped on every eviction. A load that was already reading the key when its
   * revocation committed would otherwise put the stale row back into the cache after
   * the eviction, where it would stay valid for CACHE_TTL_MS.
   */
  private evictions = 0;
  /**
   * Keys being revoked in a transaction of this process that has not committed yet
   * (key id -> until when). Loads of them are served but not cached, so the commit
   * ends them here at once, without waiting for this process's own NOTIFY.
   */
  private readonly revoking = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.database.listen(
      API_KEY_CHANNEL,
      (keyId) => this.evict(keyId),
      () => this.clear(),
    );
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
  }

  private clear(): void {
    this.evictions++;
    this.cache.clear();
  }

  evict(keyId: string): void {
    this.evictions++;
    for (const [hash, entry] of this.cache) {
      if (entry.auth.apiKeyId === keyId) this.cache.delete(hash);
    }
    for (const listener of this.revocationListeners) listener(keyId);
  }

  /**
   * For a revocation inside a transaction the caller cannot see commit: evict now, and
   * do not cache the key until the NOTIFY of the commit has surely arrived.
   */
  evictBeforeCommit(keyId: string): void {
    this.revoking.set(keyId, Date.now() + REVOKING_WINDOW_MS);
    this.evict(keyId);
  }

  /** Called with the id of every key revoked anywhere (NOTIFY), as soon as this process hears of it. */
  onRevoked(listener: (keyId: string) => void): void {
    this.revocationListeners.push(listener);
  }

  /**
   * The caller behind an Authorization header, or a 401 thrown. A key in the cache is
   * answered at once, not as a promise (that is every request after a key's first):
   * only a key that must be read from the database costs an asynchronous step.
   */
  verify(authorization: string | undefined): AuthContext | Promise<AuthContext> {
    if (!authorization) throw unauthorized();
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthorized('Authorization header must be "Bearer <api key>"');
    const key = match[1]!;
    const hash = hashApiKey(key);
    const now = Date.now();
    const entry = this.cache.get(hash);
    if (!entry || now - entry.cachedAt > CACHE_TTL_MS) {
      // The checksum spares the database a garbage key; a cached key was checked when
      // it was loaded (its hash matched a stored key), so a hit skips it.
      if (!isWellFormedApiKey(key)) throw unauthorized('Malformed API key');
      return this.load(hash, now).then((loaded) => this.admit(hash, loaded, now));
    }
    return this.admit(hash, entry, now);
  }

  /** The key's caller, unless the key has expired. */
  private admit(hash: string, entry: CachedKey, now: number): AuthContext {
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.cache.delete(hash);
      throw unauthorized('API key has expired');
    }
    this.touch(entry.auth.apiKeyId, now);
    return entry.auth;
  }

  /**
   * The key behind a stream ticket, checked now (not from the cache): a ticket must
   * not open a stream for a key revoked or expired since it was issued.
   */
  async verifyKeyId(apiKeyId: string): Promise<AuthContext> {
    const entry = await this.read('k.id', apiKeyId, Date.now());
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) throw unauthorized('API key has expired');
    this.touch(entry.auth.apiKeyId, Date.now());
    return entry.auth;
  }

  private async load(hash: string, now: number): Promise<CachedKey> {
    const evictionsBefore = this.evictions;
    const entry = await this.read('k.key_hash', hash, now);
    if (this.evictions !== evictionsBefore) return entry; // possibly stale: serve once, do not cache
    if (this.isBeingRevoked(entry.auth.apiKeyId, now)) return entry;
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(hash, entry);
    return entry;
  }

  private isBeingRevoked(keyId: string, now: number): boolean {
    if (this.revoking.size === 0) return false;
    for (const [id, until] of this.revoking) if (until <= now) this.revoking.delete(id);
    return this.revoking.has(keyId);
  }

  private async read(column: 'k.key_hash' | 'k.id', value: string, now: number): Promise<CachedKey> {
    const [row] = await this.database.query<{
      key_id: string;
      expires_at: Date | string | null;
      revoked_at: Date | string | null;
      actor_id: string;
      actor_type: 'human' | 'agent';
      actor_name: string;
      workspace_id: string | null;
      person_id: string | null;
    }>(
      `select k.id as key_id, k.expires_at, k.revoked_at, k.workspace_id, a.id as actor_id, a.type as actor_type, a.name as actor_name,
              case when a.type = 'human' then a.id else coalesce(k.created_by, a.created_by) end as person_id
         from api_keys k join actors a on a.id = k.actor_id
        where ${column} = $1`,
      [value],
    );
    if (!row) throw unauthorized('Unknown API key');
    if (row.revoked_at) throw unauthorized('API key has been revoked');
    return {
      auth: {
        apiKeyId: row.key_id,
        actor: { id: row.actor_id, type: row.actor_type, name: row.actor_name },
        ...(row.workspace_id ? { workspaceId: row.workspace_id } : {}),
        personId: row.person_id,
      },
      expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
      cachedAt: now,
    };
  }

  private touch(keyId: string, now: number): void {
    const last = this.lastUsedWrites.get(keyId) ?? 0;
    if (now - last < LAST_USED_INTERVAL_MS) return;
    if (this.lastUsedWrites.size >= CACHE_MAX_ENTRIES) this.lastUsedWrites.clear();
    this.lastUsedWrites.set(keyId, now);
    this.database
      .query(
        `update api_keys set last_used_at = now()
          where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
        [keyId],
      )
      .catch((error) => this.logger.warn({ err: error, keyId }, 'could not record last_used_at'));
  }
}
