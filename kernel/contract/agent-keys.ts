/**
 * agentKeysRef: short-lived API keys for an agent actor, limited to one workspace. The
 * sessions extension gives each run of an agent such a key (MASKIN_API_KEY), so the
 * agent works through the same API as everyone else and can do nothing once the run
 * ends.
 *
 * A minted key:
 * - belongs to an agent actor that is a member of the workspace (else 404, as for a
 *   non-member); everything runs in the caller's transaction (no other connection, so it
 *   is safe on PGlite's single one);
 * - is limited to that workspace: the request pipeline answers any other workspace as
 *   for a non-member, and refuses actor-level routes (so it cannot mint itself an
 *   unlimited key, create a workspace or read account events);
 * - must expire (at most 7 days ahead): `expiresAt` is required;
 * - is recorded as `api_key.created` in the workspace's log, in the caller's transaction.
 *
 * `revoke` ends such a key at once on every instance (the verifier's cache is evicted
 * by NOTIFY on commit) and records `api_key.revoked`. An extension can revoke only the
 * keys it minted itself.
 */
import type { Db } from '../db/database.ts';
import { createServiceRef } from './refs.ts';

export interface MintAgentKeyInput {
  agentId: string;
  workspaceId: string;
  /** Shown in the agent's key list, prefixed with the extension id (`sessions: run 3f2a…`). */
  name: string;
  expiresAt: Date;
  /** Who the key is minted for (recorded in the event); null for the system. */
  createdBy: string | null;
}

export interface MintedAgentKey {
  id: string;
  /** The secret (`ank_…`): hand it to the agent, never store or log it. */
  key: string;
  expiresAt: Date;
}

export interface ExtensionAgentKeys {
  mint(tx: Db, input: MintAgentKeyInput): Promise<MintedAgentKey>;
  /** False when the key is unknown, not this extension's, or already revoked. */
  revoke(tx: Db, input: { keyId: string; workspaceId: string; revokedBy: string | null }): Promise<boolean>;
}

export const agentKeysRef = createServiceRef<ExtensionAgentKeys>({
  id: 'kernel.agent-keys',
  owner: 'kernel',
});
