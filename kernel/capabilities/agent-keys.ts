/**
 * agentKeysRef (kernel/contract/agent-keys.ts): workspace-bound, expiring keys for
 * agent actors, minted by an extension. Keys carry the minting extension in their name
 * (`<extension>: ...`) so that `revoke` touches only that extension's keys.
 */
import { and, eq, isNull, like } from 'drizzle-orm';
import { createApiKey, revokeApiKey } from '../actors/api-keys.ts';
import { agentKeysRef } from '../contract/agent-keys.ts';
import { notFound, validationError } from '../contract/errors.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { actors, apiKeys, workspaceMembers } from '../db/schema.ts';
import { internalApiKeyVerifierRef } from './internal-refs.ts';

const MAX_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export const agentKeysFactory = createServiceFactory({
  service: agentKeysRef,
  scope: 'extension',
  deps: { verifier: internalApiKeyVerifierRef },
  factory: ({ verifier }, { extension }) => {
    const prefix = `${extension.id}: `;
    return {
      async mint(tx, input) {
        const lifetime = input.expiresAt.getTime() - Date.now();
        if (!(lifetime > 0 && lifetime <= MAX_LIFETIME_MS)) {
          throw validationError('An agent key must expire within 7 days from now', [
            { path: 'expiresAt', message: 'out of range' },
          ]);
        }
        const [member] = await tx
          .select({ id: actors.id })
          .from(workspaceMembers)
          .innerJoin(actors, eq(actors.id, workspaceMembers.actorId))
          .where(
            and(
              eq(workspaceMembers.workspaceId, input.workspaceId),
              eq(workspaceMembers.actorId, input.agentId),
              eq(actors.type, 'agent'),
            ),
          );
        if (!member) throw notFound('No agent with this id is a member of the workspace');
        const created = await createApiKey(tx, {
          actorId: input.agentId,
          name: `${prefix}${input.name}`.slice(0, 200),
          expiresAt: input.expiresAt,
          createdBy: input.createdBy,
          workspaceId: input.workspaceId,
          limitedToWorkspace: input.workspaceId,
        });
        return { id: created.id, key: created.key, expiresAt: input.expiresAt };
      },

      async revoke(tx, input) {
        const [row] = await tx
          .select({ actorId: apiKeys.actorId })
          .from(apiKeys)
          .where(
            and(
              eq(apiKeys.id, input.keyId),
              eq(apiKeys.workspaceId, input.workspaceId),
              like(apiKeys.name, `${prefix.replace(/[%_\\]/g, '\\$&')}%`),
              isNull(apiKeys.revokedAt),
            ),
          );
        if (!row) return false;
        await revokeApiKey(tx, {
          actorId: row.actorId,
          keyId: input.keyId,
          revokedBy: input.revokedBy ?? row.actorId,
          workspaceId: input.workspaceId,
        });
        // Every instance evicts on the commit's NOTIFY, which reaches this one only
        // after the caller may have moved on: end the key here from now on.
        verifier.evictBeforeCommit(input.keyId);
        return true;
      },
    };
  },
});
