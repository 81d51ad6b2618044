/** /api/actors: signup, the caller, visible actors, agents, and API keys. */
import { createRoute, z } from '@hono/zod-openapi';
import { authOf, workspaceOf } from '../contract/context.ts';
import { forbidden } from '../contract/errors.ts';
import { defineRoute, errorResponses, jsonBody, jsonResponse, pageOf, pageQuery } from '../contract/route.ts';
import { storableTimeSchema } from '../contract/values.ts';
import { clientAddress, rateLimitRules } from '../http/rate-limit.ts';
import type { KernelServices } from '../services.ts';
import { roleSchema, workspaceSchema } from '../workspaces/schemas.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { actorSchema, apiKeySchema, createdApiKeySchema, name } from './schemas.ts';

const tags = ['Actors'];
const actorParam = z.object({
  actor_id: z.union([z.literal('me'), z.string().uuid()]).openapi({ description: 'An actor id, or `me`' }),
});

export function actorRoutes(k: KernelServices) {
  const { database, actors } = k;
  const resolveActorId = (param: string, callerId: string) => (param === 'me' ? callerId : param);

  return [
    defineRoute({
      access: { auth: 'public' },
      policy: { secretResponse: true },
      route: createRoute({
        method: 'post',
        path: '/signup',
        tags,
        summary: 'Sign up: creates a human actor, a personal workspace they own and an API key',
        description:
          'Public while MASKIN_SIGNUP is `open` (403 when `closed`). Creates a human account, a personal workspace it owns and a first API key, returned once in `api_key.key` (only its hash is stored). Use the key as `Authorization: Bearer ank_...`; 409 when the email is taken.',
        request: {
          body: jsonBody(
            z.object({ name, email: z.string().trim().email().max(320), workspace_name: name.optional() }),
          ),
        },
        responses: {
          201: jsonResponse(
            z.object({ actor: actorSchema, workspace: workspaceSchema, api_key: createdApiKeySchema }),
            'Signed up. The API key is shown only here.',
          ),
          400: errorResponses[400],
          403: errorResponses[403],
          409: errorResponses[409],
        },
      }),
      handler: async (c) => {
        if (k.config.signup === 'closed') throw forbidden('Signup is closed on this server; ask an operator');
        const address = clientAddress(c, k.config.trustProxy);
        if (address !== undefined) {
          await k.rateLimiter.take(
            `signup:${address}`,
            rateLimitRules(k.config).signupPerAddress,
            'signing up from this address',
          );
        }
        const body = c.req.valid('json');
        const result = await database.db.transaction((tx) =>
          actors.signup(tx, { name: body.name, email: body.email, workspaceName: body.workspace_name }),
        );
        return c.json(result, 201);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'get_me',
        description: 'Returns the actor (human or agent) that the current API key belongs to.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/me',
        tags,
        summary: 'The authenticated actor',
        responses: { 200: jsonResponse(actorSchema, 'The caller'), 401: errorResponses[401] },
      }),
      handler: async (c) => {
        const auth = authOf(c);
        return c.json(await actors.getVisible(database.db, auth.actor.id, auth.actor.id), 200);
      },
    }),

    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      tool: {
        name: 'create_agent',
        description:
          'Creates an AI agent actor as a member of the current workspace (admin only). Returns the agent; create an API key for it with create_api_key.',
      },
      route: createRoute({
        method: 'post',
        path: '/agents',
        tags,
        summary: 'Create an agent actor in the workspace (admin)',
        request: {
          body: jsonBody(z.object({ name, role: roleSchema.exclude(['owner']).default('member') })),
        },
        responses: { 201: jsonResponse(actorSchema, 'The agent'), ...errorResponses },
      }),
      handler: async (c) => {
        const body = c.req.valid('json');
        const workspace = workspaceOf(c);
        const agent = await database.db.transaction((tx) =>
          actors.createAgent(tx, {
            workspaceId: workspace.id,
            createdBy: authOf(c).actor.id,
            name: body.name,
            role: body.role,
          }),
        );
        return c.json(agent, 201);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'get_actor',
        description: 'Returns an actor by id, if it is you or shares a workspace with you.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{actor_id}',
        tags,
        summary: 'An actor visible to the caller (itself or a co-member)',
        request: { params: actorParam },
        responses: {
          200: jsonResponse(actorSchema, 'The actor'),
          401: errorResponses[401],
          404: errorResponses[404],
        },
      }),
      handler: async (c) => {
        const caller = authOf(c).actor.id;
        const id = resolveActorId(c.req.valid('param').actor_id, caller);
        return c.json(await actors.getVisible(database.db, caller, id), 200);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'list_api_keys',
        description:
          'Lists the API keys of an actor (actor_id "me" for your own; an agent\'s keys need admin in its workspace): names, prefixes, expiry, last use and revocation, never the secrets.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{actor_id}/api-keys',
        tags,
        summary: "List an actor's API keys (never the secrets)",
        request: { params: actorParam, query: pageQuery },
        responses: { 200: jsonResponse(pageOf(apiKeySchema), 'Keys, newest first'), ...errorResponses },
      }),
      handler: async (c) => {
        const caller = authOf(c).actor.id;
        const id = resolveActorId(c.req.valid('param').actor_id, caller);
        await actors.keyManagementScope(database.db, caller, id, 'audit');
        const { limit, cursor } = c.req.valid('query');
        return c.json(await listApiKeys(database.db, id, limit, cursor), 200);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'create_api_key',
        description:
          'Creates an API key for an actor (actor_id "me" for yourself, or an agent you administer). The secret is in the result and shown only this once. To rotate a key, create the new one, then revoke_api_key the old one.',
      },
      policy: { secretResponse: true },
      route: createRoute({
        method: 'post',
        path: '/{actor_id}/api-keys',
        tags,
        summary: 'Create an API key (rotation: create a new key, then revoke the old one)',
        request: {
          params: actorParam,
          body: jsonBody(z.object({ name, expires_at: storableTimeSchema().optional() })),
        },
        responses: {
          201: jsonResponse(createdApiKeySchema, 'The key; its secret is shown only here'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const caller = authOf(c).actor.id;
        const id = resolveActorId(c.req.valid('param').actor_id, caller);
        const body = c.req.valid('json');
        const key = await database.db.transaction(async (tx) => {
          const scope = await actors.keyManagementScope(tx, caller, id);
          return createApiKey(tx, {
            actorId: id,
            name: body.name,
            expiresAt: body.expires_at ? new Date(body.expires_at) : null,
            createdBy: caller,
            workspaceId: scope.workspaceId,
            maxActiveKeys: actors.quotas.maxKeysPerActor,
          });
        });
        return c.json(key, 201);
      },
    }),

    defineRoute({
      access: { auth: 'actor' },
      tool: {
        name: 'revoke_api_key',
        description:
          'Revokes an API key of an actor (actor_id "me" for your own) by key_id; it stops working on every server within a second. Cannot be undone.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{actor_id}/api-keys/{key_id}',
        tags,
        summary: 'Revoke an API key (effective on every server within a second)',
        request: { params: actorParam.extend({ key_id: z.string().uuid() }) },
        responses: { 200: jsonResponse(apiKeySchema, 'The revoked key'), ...errorResponses },
      }),
      handler: async (c) => {
        const caller = authOf(c).actor.id;
        const params = c.req.valid('param');
        const id = resolveActorId(params.actor_id, caller);
        const key = await database.db.transaction(async (tx) => {
          const scope = await actors.keyManagementScope(tx, caller, id, 'audit');
          return revokeApiKey(tx, {
            actorId: id,
            keyId: params.key_id,
            revokedBy: caller,
            workspaceId: scope.workspaceId,
          });
        });
        // The NOTIFY reaches this process's listener asynchronously, after the response
        // could already be out: evict here too, so the revoking instance refuses the key
        // from its very next request.
        k.verifier.evict(key.id);
        return c.json(key, 200);
      },
    }),
  ];
}
