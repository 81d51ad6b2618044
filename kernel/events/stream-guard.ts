/**
 * Authorization is checked when a stream opens, but a stream can stay open for days.
 * The guard ends open streams whose owner lost the right to them, on every instance:
 *
 *   - at once when an API key is revoked anywhere (the verifier's NOTIFY eviction);
 *   - at once when a membership is removed or a workspace deleted: those writes call
 *     `notifyStreamAccessChanged` in their transaction, and every process's guard
 *     listens on that channel (and checks on every reconnect, in case it missed one);
 *   - every `intervalMs` (the heartbeat interval) for what no write announces: a key
 *     that expires. One query per check for all open streams of the process, none
 *     when there are none.
 *
 * An ended stream gets the hub's `retry:` hint; its reconnect then meets the normal
 * pipeline and its 401 or 404. Works for every hub: the event stream and extension streams (kernel/capabilities/streams.ts).
 */

import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ApiKeyVerifier } from '../auth/api-key-verifier.ts';
import { type Database, type Db, resultRows } from '../db/database.ts';
import type { StreamOwner } from './stream-hub.ts';

export interface GuardedHub {
  owners(): StreamOwner[];
  end(matches: (owner: StreamOwner) => boolean): number;
}

export const STREAM_ACCESS_CHANNEL = 'maskin_stream_access';

/** Call in a transaction that takes access away (membership, workspace): every guard checks on commit. */
export async function notifyStreamAccessChanged(tx: Db, workspaceId: string): Promise<void> {
  resultRows(await tx.execute(sql`select pg_notify(${STREAM_ACCESS_CHANNEL}, ${workspaceId})`));
}

const ownerKey = (owner: StreamOwner) => `${owner.apiKeyId}/${owner.actorId}/${owner.workspaceId}`;

export class StreamGuard {
  private readonly hubs: GuardedHub[] = [];
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    verifier: ApiKeyVerifier,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    verifier.onRevoked((keyId) => this.endWhere((owner) => owner.apiKeyId === keyId, 'api key revoked'));
  }

  /** Guards the streams of a hub; stream services register theirs at boot. */
  guard(hub: GuardedHub): void {
    this.hubs.push(hub);
  }

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(
      STREAM_ACCESS_CHANNEL,
      () => this.checkSoon(),
      () => this.checkSoon(),
    );
    this.timer = setInterval(() => this.checkSoon(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs a check now, or right after the running one (a change may have come during it). */
  checkSoon(): void {
    if (this.stopped) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = this.check()
      .catch((error) => this.logger.warn({ err: error }, 'stream authorization check failed; will retry'))
      .finally(() => {
        this.checking = undefined;
        if (this.again) {
          this.again = false;
          this.checkSoon();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.unlisten?.().catch(() => {});
    await this.checking;
  }

  /** Ends the streams of every owner whose key, actor or membership no longer holds. */
  async check(): Promise<void> {
    const owners = new Map<string, StreamOwner>();
    for (const hub of this.hubs) for (const owner of hub.owners()) owners.set(ownerKey(owner), owner);
    if (owners.size === 0) return;
    const list = [...owners.values()];
    const revoked = await this.database.query<{ i: number }>(
      `select o.i from jsonb_to_recordset($1::jsonb) as o(i int, key_id uuid, actor_id uuid, workspace_id uuid)
        where not exists (
          select 1 from api_keys k
            join workspace_members m on m.actor_id = k.actor_id and m.workspace_id = o.workspace_id
           where k.id = o.key_id and k.actor_id = o.actor_id and k.revoked_at is null
             and (k.expires_at is null or k.expires_at > now()))`,
      [
        JSON.stringify(
          list.map((owner, i) => ({
            i,
            key_id: owner.apiKeyId,
            actor_id: owner.actorId,
            workspace_id: owner.workspaceId,
          })),
        ),
      ],
    );
    if (revoked.length === 0) return;
    const gone = new Set(revoked.map((row) => ownerKey(list[row.i]!)));
    this.endWhere((owner) => gone.has(ownerKey(owner)), 'key, actor or membership gone');
  }

  private endWhere(matches: (owner: StreamOwner) => boolean, reason: string): void {
    let ended = 0;
    for (const hub of this.hubs) ended += hub.end(matches);
    if (ended > 0)
      this.logger.info({ streams: ended, reason }, 'ended streams that lost their authorization');
  }
}
